"""Celery tasks: retry policy and time limits only; the work is in ``articles.services``."""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .fetching import FetchHostBusyError, FetchTemporaryError


def retry_countdown(retries: int, retry_after: float | None) -> float:
    """Seconds before retry number ``retries + 1``: exponential backoff with full jitter
    (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015), at least the server's Retry-After."""
    base = settings.FOLIO_RETRY_BACKOFF * (2**retries)
    countdown = random.uniform(base / 2, base)
    return min(max(countdown, retry_after or 0.0), 3600.0)


@shared_task(bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def article_process_task(self, article_id: int) -> None:
    """Process one article; transient fetch errors retry with backoff until FOLIO_MAX_ATTEMPTS."""
    try:
        services.article_process(article_id=article_id)
    except FetchHostBusyError as exc:
        # Waiting for a per-host slot is not a failure: a short, jittered wait that does not grow.
        raise self.retry(exc=exc, countdown=random.uniform(1.0, 2.0) * (exc.retry_after or 2.0)) from exc
    except FetchTemporaryError as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries, exc.retry_after)) from exc
    except SoftTimeLimitExceeded:
        services.article_mark_failed(
            article_id=article_id,
            reason=(
                "Processing the page took longer than Folio's limit of "
                f"{settings.CELERY_TASK_SOFT_TIME_LIMIT} "
                "seconds, so Folio stopped. You can retry it, or save it with the bookmarklet."
            ),
        )


@shared_task(ignore_result=True)
def article_requeue_stale_task() -> int:
    """Periodic sweep: queue articles stuck in queued/fetching (see services.article_requeue_stale)."""
    return services.article_requeue_stale() + services.import_requeue_stale()


@shared_task(
    ignore_result=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=1900
)
def import_run_task(import_id: int) -> None:
    """Parse and write one uploaded import (runs on FOLIO_IMPORT_QUEUE; see services.import_run)."""
    services.import_run(import_id=import_id)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def import_fetch_task(article_ids: list[int]) -> None:
    """Fetch a chunk of imported articles for up to FOLIO_IMPORT_CHUNK_SECONDS, then re-queue the rest
    (see services.importing.import_fetch_chunk); safe to redeliver because each article is claimed first."""
    from .services.importing import import_fetch_chunk

    import_fetch_chunk(article_ids=article_ids, seconds=settings.FOLIO_IMPORT_CHUNK_SECONDS)
