"""The one module of the feeds app that puts tasks on the queue (by name, as articles.services.enqueue)."""

from __future__ import annotations

from django.conf import settings

from articles.services.enqueue import task_send

FEED_POLL_TASK = "feeds.tasks.feed_poll_task"


def feed_poll_enqueue(feed_id: int) -> bool:
    """Queue one poll of feed ``feed_id`` on FOLIO_FEED_QUEUE (default FOLIO_IMPORT_QUEUE). False (logged)
    when the broker is down: the feed stays due and beat queues it again at its next run."""
    return task_send(
        FEED_POLL_TASK, [feed_id], queue=settings.FOLIO_FEED_QUEUE or settings.FOLIO_IMPORT_QUEUE
    )
