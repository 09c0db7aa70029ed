"""The one module that puts tasks on the queue.

Tasks are sent by name through Celery's ``send_task`` (``celery.current_app``), so no service imports
``articles.tasks`` and there is no import cycle between the two layers. Every function returns False (and
logs) when the broker cannot be reached: the database is the source of truth, the row stays ``queued`` (or
the import ``pending``) and the periodic sweep (``article_requeue_stale``, ``import_requeue_stale``) sends
it later, so a save never fails because Redis is down (DESIGN.md §2, example 2). Callers inside a
transaction register these with ``transaction.on_commit`` so that a worker never sees a row before it
exists.

Add the enqueue function of a new task here, next to its task name.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

#: Task names (``articles.tasks`` declares each with ``name=``); the worker looks tasks up by these.
ARTICLE_PROCESS_TASK = "articles.tasks.article_process_task"
IMPORT_RUN_TASK = "articles.tasks.import_run_task"
IMPORT_FETCH_TASK = "articles.tasks.import_fetch_task"
REQUEUE_STALE_TASK = "articles.tasks.article_requeue_stale_task"
ARTICLE_IMAGES_TASK = "articles.tasks.article_images_task"
IMAGE_JOB_RUN_TASK = "articles.tasks.image_job_run_task"
EXPORT_JOB_RUN_TASK = "articles.tasks.export_job_run_task"


def task_send(
    name: str,
    args: Sequence[object],
    *,
    kwargs: Mapping[str, object] | None = None,
    queue: str | None = None,
    countdown: float | None = None,
) -> bool:
    """Send task ``name`` with JSON ``args`` (and ``kwargs``) to ``queue`` (default
    CELERY_TASK_DEFAULT_QUEUE, read at call time), to run after ``countdown`` seconds (None: at once).
    Returns False, logged, if the broker is down.
    """
    try:
        current_app.send_task(
            name,
            args=list(args),
            kwargs=dict(kwargs or {}),
            queue=queue or settings.CELERY_TASK_DEFAULT_QUEUE,
            countdown=countdown,
            # Time limits are the worker's policy (articles.tasks and its settings). send_task copies a
            # locally registered task's limits into the message, frozen from this process's settings when
            # the task was bound; an explicit None leaves the limits to the worker.
            time_limit=None,
            soft_time_limit=None,
        )
    except Exception:  # broker down: the sweeper finds the row and sends it again later
        logger.exception("Could not queue %s%r; the periodic sweep will queue it", name, tuple(args))
        return False
    return True


def article_process_enqueue(
    article_id: int, *, queue: str | None = None, countdown: float | None = None, slow: bool = False
) -> bool:
    """Queue ``article_process_task`` for one article (a person's save: the default queue; an imported
    article: FOLIO_IMPORT_QUEUE). With ``slow``, on the slow lane (FOLIO_SLOW_QUEUE: its own workers, the
    whole FOLIO_FETCH_TOTAL_TIMEOUT per page) whatever ``queue`` says."""
    if slow:
        return task_send(
            ARTICLE_PROCESS_TASK,
            [article_id],
            kwargs={"slow": True},
            queue=settings.FOLIO_SLOW_QUEUE,
            countdown=countdown,
        )
    return task_send(ARTICLE_PROCESS_TASK, [article_id], queue=queue, countdown=countdown)


def article_images_enqueue(article_id: int) -> bool:
    """Queue ``article_images_task`` on the slow lane for an article stored with images that ran out of
    time on the save lane; it tries them again with the whole FOLIO_IMAGE_TOTAL_SECONDS (False if the
    broker is down: ``keep_images --retry-failed`` catches up)."""
    return task_send(ARTICLE_IMAGES_TASK, [article_id], queue=settings.FOLIO_SLOW_QUEUE)


def image_job_enqueue(job_id: int) -> bool:
    """Queue the next chunk of an image job (keep the images of older articles) on FOLIO_IMPORT_QUEUE,
    behind people's saves."""
    return task_send(IMAGE_JOB_RUN_TASK, [job_id], queue=settings.FOLIO_IMPORT_QUEUE)


def export_job_enqueue(job_id: int) -> bool:
    """Queue the making of an export job's book on FOLIO_IMPORT_QUEUE, behind people's saves."""
    return task_send(EXPORT_JOB_RUN_TASK, [job_id], queue=settings.FOLIO_IMPORT_QUEUE)


def import_run_enqueue(import_id: int) -> bool:
    """Queue the parse-and-write run of one uploaded import on FOLIO_IMPORT_QUEUE."""
    return task_send(IMPORT_RUN_TASK, [import_id], queue=settings.FOLIO_IMPORT_QUEUE)


def import_fetch_enqueue(*, article_ids: list[int], countdown: float | None = None) -> bool:
    """Queue one ``import_fetch_task`` for a chunk of imported articles on FOLIO_IMPORT_QUEUE.

    One message per chunk rather than per article: publishing is the slow part of a large import (about
    5 ms a message on a loaded machine, so 100 s for 20,000 articles; see bench/import_bench.py).
    """
    return task_send(
        IMPORT_FETCH_TASK, [list(article_ids)], queue=settings.FOLIO_IMPORT_QUEUE, countdown=countdown
    )
