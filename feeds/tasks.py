"""Celery tasks of the feeds app: policy only; each body is one service call."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="feeds.tasks.feeds_poll_due_task", ignore_result=True, soft_time_limit=120, time_limit=180)
def feeds_poll_due_task() -> int:
    """Beat, every FOLIO_FEED_CHECK_INTERVAL seconds: queue one poll per due feed."""
    return services.feeds_poll_due()


@shared_task(name="feeds.tasks.feed_poll_task", ignore_result=True, soft_time_limit=240, time_limit=300)
def feed_poll_task(feed_id: int) -> None:
    """Poll one feed. Failures are stored on the feed and retried by its backoff, not by Celery."""
    services.feed_poll(feed_id=feed_id)
