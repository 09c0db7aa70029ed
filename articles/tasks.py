"""Celery tasks: policy only (retries, backoff, time limits, queues); each body is one service call.

Services signal "try again later" by raising ``articles.errors.RetryLater``; fetch errors never reach this
module. Tasks are sent by name from ``articles.services.enqueue`` (the names below), never imported by a
service.
"""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django import db
from django.conf import settings
from django.utils.translation import gettext as _

from . import services
from .errors import RetryLater
from .models import ImageJob
from .services import enqueue, export_jobs, media, media_jobs
from .services.dbretry import CONNECTION_ERRORS

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
def article_process_task(self, article_id: int, slow: bool = False) -> None:
    """Process one article; RetryLater retries (processing itself gives up after FOLIO_MAX_ATTEMPTS); the
    soft time limit marks the article failed with a reason.

    Two lanes, so that slow fetches never starve fast saves: on the save lane (``slow`` false) the page and
    its images get FOLIO_FETCH_FAST_TIMEOUT seconds; every retry goes to the slow lane (FOLIO_SLOW_QUEUE,
    its own workers, the whole FOLIO_FETCH_TOTAL_TIMEOUT), at once for a page that only needed more time
    (``RetryLater.slow``), after retry_countdown otherwise.
    """
    try:
        services.article_process(
            article_id=article_id,
            fetch_timeout=None if slow else settings.FOLIO_FETCH_FAST_TIMEOUT,
            task_id=self.request.id or "",
        )
    except RetryLater as exc:
        countdown = 0 if exc.slow and not slow else retry_countdown(self.request.retries, exc)
        raise self.retry(
            exc=exc,
            countdown=countdown,
            args=(article_id,),
            kwargs={"slow": True},
            queue=settings.FOLIO_SLOW_QUEUE,
        ) from exc
    except SoftTimeLimitExceeded:
        services.article_mark_failed(article_id=article_id, reason=_time_limit_reason())
    except CONNECTION_ERRORS as exc:
        # The database restarted or is unreachable (issue 21.8): try again with backoff on a new
        # connection; the claim this run holds is taken back by the retry (same task id).
        db.connection.close()
        raise self.retry(
            exc=exc,
            countdown=retry_countdown(self.request.retries, RetryLater("database unavailable")),
            args=(article_id,),
            kwargs={"slow": slow},
        ) from exc


@shared_task(name=enqueue.REQUEUE_STALE_TASK, ignore_result=True)
def article_requeue_stale_task() -> int:
    """Periodic sweep: queue articles stuck in queued/fetching (see services.article_requeue_stale),
    imports stuck in pending and image jobs left unfinished."""
    return (
        services.article_requeue_stale()
        + services.import_requeue_stale()
        + media_jobs.image_job_requeue_stale()
        + export_jobs.export_job_sweep()
    )


@shared_task(
    name=enqueue.IMPORT_RUN_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def import_run_task(import_id: int) -> None:
    """Parse and write one uploaded import (runs on FOLIO_IMPORT_QUEUE; see services.import_run); the soft
    time limit ends it ``failed`` with a reason (issue 21.3)."""
    services.import_run(import_id=import_id, stop_on=(SoftTimeLimitExceeded,))


def _retry_imported_article(article_id: int, exc: RetryLater) -> None:
    """An imported article whose fetch may succeed later goes on its own: a busy site back to the import
    queue after a short wait; a slow page or a failing one to the slow lane (at once, or after the first
    backoff step), never ahead of saves; then article_process_task's own policy applies."""
    if not exc.backoff:
        enqueue.article_process_enqueue(
            article_id, queue=settings.FOLIO_IMPORT_QUEUE, countdown=retry_countdown(0, exc)
        )
    else:
        enqueue.article_process_enqueue(
            article_id, slow=True, countdown=0 if exc.slow else retry_countdown(0, exc)
        )


@shared_task(name=enqueue.IMPORT_FETCH_TASK, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def import_fetch_task(article_ids: list[int]) -> None:
    """Fetch a chunk of imported articles for up to FOLIO_IMPORT_CHUNK_SECONDS, then re-queue the rest
    (services.import_fetch_chunk); safe to redeliver because each article is claimed first. Each page gets
    the save lane's FOLIO_FETCH_FAST_TIMEOUT; the soft time limit stops the chunk: the article being
    processed is marked failed and the rest re-queued."""
    services.import_fetch_chunk(
        article_ids=article_ids,
        seconds=settings.FOLIO_IMPORT_CHUNK_SECONDS,
        retry_later=_retry_imported_article,
        stop_on=(SoftTimeLimitExceeded,),
        fetch_timeout=settings.FOLIO_FETCH_FAST_TIMEOUT,
    )


@shared_task(name=enqueue.IMAGE_JOB_RUN_TASK, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def image_job_run_task(job_id: int) -> None:
    """Keep the images of a job's articles for up to FOLIO_IMPORT_CHUNK_SECONDS, then re-queue the rest
    behind people's saves (services.media_jobs.image_job_run); safe to redeliver (progress is per article)."""
    job = media_jobs.image_job_run(job_id=job_id, seconds=settings.FOLIO_IMPORT_CHUNK_SECONDS)
    if job is not None and job.status != ImageJob.Status.DONE:
        enqueue.image_job_enqueue(job_id)


@shared_task(
    name=enqueue.EXPORT_JOB_RUN_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def export_job_run_task(job_id: int) -> None:
    """Make the book of an export job (services.export_jobs.export_job_run), on FOLIO_IMPORT_QUEUE; the soft
    time limit ends it ``failed`` with a reason."""
    try:
        export_jobs.export_job_run(job_id=job_id, stop_on=(SoftTimeLimitExceeded,))
    except SoftTimeLimitExceeded:
        export_jobs.export_job_fail(
            job_id=job_id, reason=_("Making the book took too long (over 30 minutes). Export fewer articles.")
        )


@shared_task(name=enqueue.ARTICLE_IMAGES_TASK, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def article_images_task(article_id: int) -> None:
    """Slow lane: keep the images of a stored article that ran out of time on the save lane (and try its
    missing ones again); see services.media.article_images_refresh."""
    media.article_images_refresh(article_id=article_id, retry_missing=True)
