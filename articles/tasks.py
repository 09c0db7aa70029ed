"""Celery tasks: policy only (retries, backoff, time limits, queues); each body is one service call.

Services signal "try again later" by raising ``articles.errors.RetryLater``; fetch errors never reach this
module. Tasks are sent by name from ``articles.services.enqueue`` (the names below), never imported by a
service.
"""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .errors import RetryLater
from .services import enqueue

#: The most a retry waits, in seconds, whatever the attempt or the server's Retry-After.
MAX_RETRY_WAIT = 3600.0


def retry_countdown(retries: int, exc: RetryLater) -> float:
    """Seconds before retry number ``retries + 1`` of work that raised ``exc``.

    With ``exc.backoff`` (a timeout, 429, 5xx): exponential backoff with full jitter, base
    FOLIO_RETRY_BACKOFF * 2^retries (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015), and at
    least the server's Retry-After. Without (a busy site: waiting for a per-host slot is not a failure): a
    short jittered wait around the slot's expected release that does not grow. At most MAX_RETRY_WAIT.
    """
    if not exc.backoff:
        return random.uniform(1.0, 2.0) * (exc.retry_after or 2.0)
    base = settings.FOLIO_RETRY_BACKOFF * (2**retries)
    countdown = random.uniform(base / 2, base)
    return min(max(countdown, exc.retry_after or 0.0), MAX_RETRY_WAIT)


def _time_limit_reason() -> str:
    return (
        "Processing the page took longer than Folio's limit of "
        f"{settings.CELERY_TASK_SOFT_TIME_LIMIT} "
        "seconds, so Folio stopped. You can retry it, or save it with the bookmarklet."
    )


@shared_task(
    name=enqueue.ARTICLE_PROCESS_TASK, bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True
)
def article_process_task(self, article_id: int) -> None:
    """Process one article; RetryLater retries with backoff (processing itself gives up after
    FOLIO_MAX_ATTEMPTS); the soft time limit marks the article failed with a reason."""
    try:
        services.article_process(article_id=article_id)
    except RetryLater as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries, exc)) from exc
    except SoftTimeLimitExceeded:
        services.article_mark_failed(article_id=article_id, reason=_time_limit_reason())


@shared_task(name=enqueue.REQUEUE_STALE_TASK, ignore_result=True)
def article_requeue_stale_task() -> int:
    """Periodic sweep: queue articles stuck in queued/fetching (see services.article_requeue_stale) and
    imports stuck in pending."""
    return services.article_requeue_stale() + services.import_requeue_stale()


@shared_task(
    name=enqueue.IMPORT_RUN_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def import_run_task(import_id: int) -> None:
    """Parse and write one uploaded import (runs on FOLIO_IMPORT_QUEUE; see services.import_run)."""
    services.import_run(import_id=import_id)


def _retry_imported_article(article_id: int, exc: RetryLater) -> None:
    """An imported article whose fetch may succeed later goes back to the import queue on its own, after
    the first backoff step (then article_process_task's own policy applies)."""
    enqueue.article_process_enqueue(
        article_id, queue=settings.FOLIO_IMPORT_QUEUE, countdown=retry_countdown(0, exc)
    )


@shared_task(name=enqueue.IMPORT_FETCH_TASK, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def import_fetch_task(article_ids: list[int]) -> None:
    """Fetch a chunk of imported articles for up to FOLIO_IMPORT_CHUNK_SECONDS, then re-queue the rest
    (services.import_fetch_chunk); safe to redeliver because each article is claimed first. The soft time
    limit stops the chunk: the article being processed is marked failed and the rest re-queued."""
    services.import_fetch_chunk(
        article_ids=article_ids,
        seconds=settings.FOLIO_IMPORT_CHUNK_SECONDS,
        retry_later=_retry_imported_article,
        stop_on=(SoftTimeLimitExceeded,),
    )
