"""Image jobs: keeping the images of articles saved before Folio kept them (the library's "Keep images"
bulk action and ``manage.py keep_images``), article by article with progress on an ImageJob row, in
time-boxed chunks on the background queue (the work per article is ``media.article_images_refresh``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import imaging
from ..models import Article, ArticleImage, ImageJob
from . import enqueue as queue_seam
from .media import article_images_refresh


def image_job_create(
    *, user: User, ids: Iterable[int], retry_missing: bool = True, enqueue: bool = True
) -> ImageJob:
    """Start keeping the images of ``user``'s ready articles among ``ids`` (other ids are ignored), and
    queue the job on the background queue (FOLIO_IMPORT_QUEUE, behind people's saves) unless ``enqueue``
    is False (the management command runs it itself). ``retry_missing`` also tries the images an earlier
    run could not keep. Raises ArticleError when none of ``ids`` is a ready article of ``user``."""
    from ..errors import ArticleError

    wanted = {int(i) for i in ids}
    article_ids = list(
        Article.objects.filter(user=user, pk__in=wanted, deleted_at__isnull=True, status=Article.Status.READY)
        .order_by("-saved_at", "-id")
        .values_list("id", flat=True)
    )
    if not article_ids:
        raise ArticleError(_("None of the selected articles is ready yet."))
    job = ImageJob.objects.create(user=user, article_ids=article_ids, retry_missing=retry_missing)
    if enqueue:
        job_id = job.pk
        transaction.on_commit(lambda: queue_seam.image_job_enqueue(job_id))
    return job


def image_job_run(
    *, job_id: int, seconds: float | None = None, progress: Callable[[ImageJob], None] | None = None
) -> ImageJob | None:
    """Go through the job's articles from where it stopped, for at most ``seconds`` (None: to the end).
    Progress is written after every article (and passed to ``progress``). Returns the job, or None if it
    does not exist. The caller re-queues a job that is not done (``image_job_run_task``)."""
    job = ImageJob.objects.filter(pk=job_id).first()
    if job is None or job.status == ImageJob.Status.DONE:
        return job
    ImageJob.objects.filter(pk=job_id).update(status=ImageJob.Status.RUNNING)
    job.status = ImageJob.Status.RUNNING
    ends = None if seconds is None else time.monotonic() + seconds
    while job.position < len(job.article_ids):
        if ends is not None and time.monotonic() >= ends:
            return job
        article_id = job.article_ids[job.position]
        owned = Article.objects.filter(pk=article_id, user_id=job.user_id, deleted_at__isnull=True).exists()
        stored, failed = (
            article_images_refresh(article_id=article_id, retry_missing=job.retry_missing)
            if owned
            else (0, 0)
        )
        ImageJob.objects.filter(pk=job_id).update(
            position=F("position") + 1,
            stored_count=F("stored_count") + stored,
            failed_count=F("failed_count") + failed,
        )
        job.refresh_from_db()
        if progress is not None:
            progress(job)
    ImageJob.objects.filter(pk=job_id).update(status=ImageJob.Status.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    if progress is not None:
        progress(job)
    return job


def image_job_requeue_stale(*, older_than: float = 600.0) -> int:
    """Queue again the jobs not done whose progress has not moved for ``older_than`` seconds (broker down
    when created, worker killed). Returns how many were sent."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    stale = ImageJob.objects.exclude(status=ImageJob.Status.DONE).filter(updated_at__lt=cutoff)
    sent = 0
    for job_id in stale.values_list("id", flat=True)[:100]:
        ImageJob.objects.filter(pk=job_id).update(updated_at=timezone.now())
        sent += queue_seam.image_job_enqueue(job_id)
    return sent


def articles_missing_images(*, user: User | None = None, retry_missing: bool = False) -> list[int]:
    """Ids of ready articles (of ``user``, or everyone's) whose HTML still loads an image from another site
    or whose lead image was never tried, newest first: what ``keep_images`` goes through. With
    ``retry_missing``, also the articles with an image Folio could not keep before."""
    articles = Article.objects.filter(deleted_at__isnull=True, status=Article.Status.READY)
    if user is not None:
        articles = articles.filter(user=user)
    lead_rows = ArticleImage.objects.filter(article=OuterRef("pk"), is_lead=True)
    if retry_missing:
        lead_rows = lead_rows.filter(status=ArticleImage.Status.STORED)
    needed: Q | Combinable = Q(content_html__contains='src="http') | (~Q(lead_image="") & ~Exists(lead_rows))
    if retry_missing:
        needed |= Q(content_html__contains=imaging.MISSING_CLASS)
    return list(articles.filter(needed).order_by("-saved_at", "-id").values_list("id", flat=True))
