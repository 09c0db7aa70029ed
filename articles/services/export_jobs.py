"""Export jobs: an EPUB book of more than one article is made on the background queue, as imports are
(issue 15 item 3), with its progress on an ExportJob row, so that the request that asks for it answers at
once. The book is written by ``exporting.export_epub`` (kept images read from storage; nothing fetched),
stored in the default storage under ``exports/``, offered for download until ``expires_at``
(FOLIO_EXPORT_KEEP_HOURS), then deleted by ``export_job_sweep`` (the periodic sweep task).

States: pending → running → ready | failed (with a reason) | cancelled; ready → expired (file deleted).
A single article's EPUB stays immediate (``views/exporting.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import ArticleError, ArticleNotFound
from ..limits import TITLE_MAX_LENGTH
from ..models import ExportJob
from . import enqueue as queue_seam
from .exporting import ExportStopped, export_articles, export_epub

logger = logging.getLogger(__name__)

#: The states in which a job is still working (cancel is offered, the page polls).
ACTIVE = (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)


def export_job_create(
    *, user: User, ids: Iterable[int], title: str = "Folio", enqueue: bool = True
) -> ExportJob:
    """Start an EPUB book of ``user``'s articles among ``ids`` (others' and deleted ids are ignored),
    newest save first, and queue it on FOLIO_IMPORT_QUEUE (behind people's saves) when the transaction
    commits, unless ``enqueue`` is False. Raises ArticleError when none of ``ids`` is the user's."""
    article_ids = list(export_articles(user=user, ids=ids).values_list("id", flat=True))
    if not article_ids:
        raise ArticleError(_("There is nothing to export: none of these articles is in your library."))
    job = ExportJob.objects.create(user=user, title=title[:TITLE_MAX_LENGTH], article_ids=article_ids)
    if enqueue:
        transaction.on_commit(lambda: queue_seam.export_job_enqueue(job.pk))
    return job


def export_job_get(*, user: User, job_id: int) -> ExportJob:
    """``user``'s export job ``job_id``. Raises ArticleNotFound for anyone else's or a missing one."""
    job = ExportJob.objects.filter(pk=job_id, user=user).first()
    if job is None:
        raise ArticleNotFound(_("There is no such export."))
    return job


def export_job_run(*, job_id: int, stop_on: tuple[type[BaseException], ...] = ()) -> ExportJob | None:
    """Make the book of job ``job_id`` (a pending or running one; others are left as they are), writing
    progress after each article; ends ``ready`` with the file, ``cancelled`` when cancel was asked
    meanwhile, or ``failed`` with the reason. Returns the job, or None if it does not exist. Safe to run
    again after a worker died (it starts the book over). Exceptions in ``stop_on`` (the task's soft time
    limit) are raised to the caller, which decides the reason."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE:
        return job
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.RUNNING, position=0, updated_at=timezone.now()
    )

    def progress(done: int) -> bool:
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
            position=done, updated_at=timezone.now()
        )
        return ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).exists()

    stamp = timezone.now()
    try:
        articles = export_articles(user=job.user, ids=job.article_ids)
        body = export_epub(articles, title=job.title or "Folio", progress=progress)
        job.refresh_from_db()
        if job.status != ExportJob.Status.RUNNING:  # cancelled after the last chapter
            return job
        job.file.save(f"folio-{stamp:%Y-%m-%d}-{job_id}.epub", ContentFile(body), save=False)
    except ExportStopped:
        job.refresh_from_db()
        return job
    except stop_on:
        raise
    except Exception as exc:  # a bug or storage that refuses the file: the person sees why, nothing is lost
        logger.exception("Export job %s failed", job_id)
        export_job_fail(job_id=job_id, reason=_("The book could not be made: %(error)s") % {"error": exc})
        job.refresh_from_db()
        return job
    updated = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.READY,
        file=job.file.name,
        byte_size=len(body),
        position=len(job.article_ids),
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=settings.FOLIO_EXPORT_KEEP_HOURS),
    )
    if not updated:  # cancelled while the file was written: it is not kept
        job.file.delete(save=False)
    job.refresh_from_db()
    return job


def export_job_fail(*, job_id: int, reason: str) -> None:
    """End a pending or running job ``failed`` with ``reason`` (shown to the person who asked)."""
    ExportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=ExportJob.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def export_job_cancel(*, user: User, job_id: int) -> bool:
    """Cancel ``user``'s job while it is waiting or running (the worker stops after the article it is on);
    a ready job's file is deleted at once. Returns False when there was nothing to cancel. Raises
    ArticleNotFound for anyone else's job."""
    job = export_job_get(user=user, job_id=job_id)
    if job.status == ExportJob.Status.READY:
        _delete_file(job)
        return bool(
            ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.READY).update(
                status=ExportJob.Status.CANCELLED, file="", finished_at=timezone.now()
            )
        )
    return bool(
        ExportJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
            status=ExportJob.Status.CANCELLED, finished_at=timezone.now()
        )
    )


def _delete_file(job: ExportJob) -> None:
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:
            logger.warning("Could not delete the export file %s", job.file.name)


def export_job_sweep(*, stale_after: float = 600.0) -> int:
    """The periodic sweep's part: delete the files of ready jobs past ``expires_at`` (the job stays,
    ``expired``), and queue again the pending jobs not started for ``stale_after`` seconds (broker down when
    they were asked for); a running job silent that long ends failed (its worker died). Returns how many
    jobs were touched."""
    now = timezone.now()
    touched = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.READY, expires_at__lt=now)[:100]:
        _delete_file(job)
        touched += ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.READY).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
    cutoff = now - timedelta(seconds=stale_after)
    for job_id in ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, updated_at__lt=cutoff
    ).values_list("id", flat=True)[:100]:
        ExportJob.objects.filter(pk=job_id).update(updated_at=now)
        touched += queue_seam.export_job_enqueue(job_id)
    for job_id in ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, updated_at__lt=cutoff
    ).values_list("id", flat=True)[:100]:
        export_job_fail(
            job_id=job_id, reason=_("The worker making the book stopped. Ask for the export again.")
        )
        touched += 1
    return touched
