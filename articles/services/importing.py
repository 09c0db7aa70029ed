"""Importing an export file: ``import_create`` stores the upload and queues ``import_run``, which parses the
file (``articles.importers``) and hands its entries, in batches, to the bulk door of the saving service
(``saving.article_save_many``). This module keeps the parsing, the progress counters and the job's
bookkeeping; the writing of articles, tags and highlights is the saving service's.

Each batch of FOLIO_IMPORT_BATCH_SIZE entries costs a fixed number of queries (article_save_many's plus one
for the counters). Articles whose file carries their content (wallabag, Omnivore, Folio) are stored
``ready`` without a fetch; the others are queued on the low-priority ``FOLIO_IMPORT_QUEUE``, one message per
batch (``import_fetch_task``), so that a person's own saves stay fast. Fetches are ordered round-robin by
host, so consecutive fetches go to different sites.

The file is streamed (issue 21.3): entries are parsed as they are written, in file order, one batch in
memory at a time. Each batch commits with ``Import.entries_done`` (entries of the file handled so far),
so an import stopped by its time limit, a write error or a dead worker ends ``failed`` with its file kept,
and ``import_restart`` (the Retry button) resumes it after those entries. The file is deleted when the
import ends for good: done, cancelled, unreadable, or failed and not retried within
FOLIO_IMPORT_KEEP_FAILED (the sweeper gives it up).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from .. import importers
from ..errors import ArticleError, NotFoundError, RetryLater
from ..importers import ImportFileError, ImportItem
from ..models import Article, Import
from . import enqueue as queue_seam  # the name ``enqueue`` is import_create's argument
from .processing import article_mark_failed, article_process
from .saving import article_save_many, fetch_enqueue_on_commit

logger = logging.getLogger(__name__)

#: Seconds between two batches on SQLite (see import_run): longer than the 100 ms longest sleep of SQLite's
#: busy handler (sqliteDefaultBusyCallback), so a waiting writer always wakes up inside the gap.
SQLITE_BATCH_GAP = 0.11
#: Failures kept on the Import row (the counters still count every one).
MAX_FAILURES_KEPT = 1000

ProgressCallback = Callable[[Import], None]
T = TypeVar("T")


class ImportRejectedError(ArticleError):
    """The uploaded file cannot be imported at all (too large, empty, unknown format)."""


def size_message(limit: int) -> str:
    """The message for a file over ``limit`` bytes."""
    if limit >= 1024 * 1024:
        return gettext("The file is larger than the %(size)d MB Folio imports.") % {
            "size": limit // (1024 * 1024)
        }
    return gettext("The file is larger than the %(size)d bytes Folio imports.") % {"size": limit}


def import_create(*, user: User, data: bytes, filename: str, enqueue: bool = True) -> Import:
    """Check and store an uploaded export file, then queue its import (unless ``enqueue`` is False: the
    management command runs it in-process). Returns the ``pending`` Import.

    The format is detected from the bytes (``importers.detect_format``). Raises ImportRejectedError when
    the file is over FOLIO_IMPORT_MAX_BYTES, empty or of no known format; nothing is stored then.
    """
    limit = settings.FOLIO_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportRejectedError(size_message(limit))
    try:
        fmt = importers.detect_format(data, filename)
    except ImportFileError as exc:
        # The importers' fixed sentences are marked with gettext_noop; here, in the request, in its language.
        raise ImportRejectedError(gettext(exc.message)) from exc
    safe_name = (filename or "import").replace("\\", "/").rsplit("/", 1)[-1][:200] or "import"
    with transaction.atomic():
        job = Import(user=user, filename=safe_name, format=fmt)
        job.file.save(f"{user.pk}-{safe_name}", ContentFile(data), save=False)
        job.save()
        job_id = job.pk
        if enqueue:
            transaction.on_commit(lambda: queue_seam.import_run_enqueue(job_id))
    return job


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def interleave_by_host(items: Iterable[ImportItem]) -> list[ImportItem]:
    """``items`` reordered round-robin over their hosts (each host's own order kept), so that a large import
    never sends a run of fetches to one site."""
    return round_robin((_host(item.url), item) for item in items)


def round_robin(keyed: Iterable[tuple[str, T]]) -> list[T]:
    """The values of ``(key, value)`` pairs, taken round-robin over their keys in order of first appearance
    (each key's own order kept)."""
    groups: OrderedDict[str, list[T]] = OrderedDict()
    for key, value in keyed:
        groups.setdefault(key, []).append(value)
    queues = [iter(group) for group in groups.values()]
    result: list[T] = []
    while queues:
        still = []
        for queue in queues:
            following = next(queue, None)
            if following is not None:
                result.append(following)
                still.append(queue)
        queues = still
    return result


def _fail(job: Import, item: ImportItem, reason: str) -> None:
    job.failed_count += 1
    if len(job.failures) < MAX_FAILURES_KEPT:
        job.failures.append({"line": item.line, "url": item.url[:300], "reason": reason})


def _write_batch(job: Import, batch: list[ImportItem]) -> list[int]:
    """Write one batch of entries through the saving service's bulk door; returns the ids of the articles
    to fetch. Counters update on ``job``."""
    result = article_save_many(
        user=job.user, entries=batch, origin=Article.Origin.IMPORT, import_job=job, queue_fetch=False
    )
    for item, reason in result.failures:
        _fail(job, item, reason)
    job.duplicate_count += result.duplicates
    job.created_count += len(result.created)
    return result.to_fetch


def _discard_file(job: Import) -> None:
    """Delete the uploaded file once it is read: the articles hold what it carried, and an export file is
    personal data Folio has no reason to keep."""
    try:
        job.file.delete(save=False)
    except OSError:
        logger.warning("Could not delete the file of import %s", job.pk)
    Import.objects.filter(pk=job.pk).update(file="")


def _save_counters(job: Import, **extra) -> None:
    fields = {
        "total": job.total,
        "entries_done": job.entries_done,
        "resume_offset": job.resume_offset,
        "resume_line": job.resume_line,
        "created_count": job.created_count,
        "duplicate_count": job.duplicate_count,
        "failed_count": job.failed_count,
        "failures": job.failures,
        **extra,
    }
    Import.objects.filter(pk=job.pk).update(**fields)


def stopped_reason() -> str:
    """The reason an import stopped by its time limit (or a worker that died) ends with."""
    return _(
        "The import took longer than Folio allows and was stopped. The entries written before that are in "
        "your library; press Retry to continue from where it stopped."
    )


def error_reason() -> str:
    """The reason an import stopped by an error while writing ends with."""
    return _(
        "Folio stopped this import after an error. The entries written before that are in your library; "
        "press Retry to continue from where it stopped."
    )


def _end_failed(job: Import, error: str, *, keep_file: bool = False) -> None:
    """End ``job`` ``failed`` with ``error``; the counters stay those last committed. With ``keep_file``
    the file stays for a Retry (import_restart) until FOLIO_IMPORT_KEEP_FAILED has passed; otherwise it is
    deleted now."""
    if not keep_file:
        _discard_file(job)
    Import.objects.filter(pk=job.pk).update(
        status=Import.Status.FAILED, error=error, finished_at=timezone.now()
    )


class _Reader:
    """Streams the entries of an import file: ``items()`` yields them in file order (at most
    FOLIO_IMPORT_MAX_ENTRIES), records the file's notices in ``job.failures`` when asked, and sets
    ``error`` to a file-level reason ("" if none) instead of raising.

    The parsers read hostile files, so any exception they raise (a corrupt ZIP's ``zlib.error`` or
    ``BadZipFile``, a decoder's ``ValueError``…) is a file-level error with a readable reason, never an
    import left ``running`` (issue 21.3); exceptions in ``stop_on`` (the soft time limit) propagate."""

    def __init__(self, job: Import, stop_on: tuple[type[BaseException], ...]):
        self.job = job
        self.stop_on = stop_on
        self.error = ""

    def items(
        self, handle: BinaryIO, *, notices: bool, resume: tuple[int, int] | None = None, count: int = 0
    ) -> Iterator[ImportItem]:
        """The entries, from the start or from ``resume`` (a resume point; ``count`` entries come before
        it, which the row cap counts)."""
        job, cap = self.job, settings.FOLIO_IMPORT_MAX_ENTRIES
        self.error = ""
        try:
            fmt = job.format or importers.detect_format(handle, job.filename)
            for item in importers.parse_file(handle, fmt, resume=resume):
                if item.extra.get("notice"):
                    if notices:
                        job.failures.append({"line": 0, "url": "", "reason": item.error})
                elif count >= cap:
                    self.error = f"The file has more than {cap:,} entries; Folio imported the first {cap:,}."
                    return
                else:
                    count += 1
                    yield item
        except self.stop_on:
            raise
        except ImportFileError as exc:
            self.error = exc.message
        except Exception as exc:  # hostile input: every parser failure is the file's
            logger.warning("Import %s could not be read", job.pk, exc_info=True)
            self.error = f"The file is damaged or not what it says it is; Folio could not read it ({type(exc).__name__})."


def _fetch_order(article_ids: list[int]) -> list[int]:
    """``article_ids`` (in file order) reordered round-robin by the host of their address, so consecutive
    fetches go to different sites; read from the database in slices (two ints per article in memory)."""
    hosts: list[tuple[str, int]] = []
    step = 2000
    for start in range(0, len(article_ids), step):
        chunk = article_ids[start : start + step]
        urls = dict(Article.objects.filter(id__in=chunk).values_list("id", "url"))
        hosts += [(_host(urls.get(pk, "")), pk) for pk in chunk]
    return round_robin(hosts)


def import_run(
    *,
    import_id: int,
    progress: ProgressCallback | None = None,
    stop_on: tuple[type[BaseException], ...] = (),
) -> Import | None:
    """Parse the stored file of Import ``import_id`` and write its entries, streaming: one batch of
    FOLIO_IMPORT_BATCH_SIZE entries in memory at a time. Returns the Import, or None if it is not
    ``pending`` (already run or running elsewhere).

    A run that does not know ``total`` yet counts the entries first (for the progress bar), in a
    streaming pass of its own. Each batch commits with ``entries_done`` and, for a plain CSV file, the
    byte offset after its last entry; a resumed run (``import_restart``) seeks to that offset, or, for the
    other formats, reads the ``entries_done`` entries again without writing them. ``progress`` is
    called with the Import after every batch (the management command's progress bar). A file-level problem ends the import ``failed`` with a readable ``error``
    and the file deleted when nothing could be read; entries read before a problem are imported. An
    exception in ``stop_on`` (the task's soft time limit) or any error while writing ends it ``failed``
    with a reason and keeps the file for a Retry; the batches committed before it are kept and their
    fetches queued: an import never stays ``running`` (issue 21.3).
    """
    claimed = Import.objects.filter(pk=import_id, status=Import.Status.PENDING).update(
        status=Import.Status.RUNNING, started_at=timezone.now(), error="", finished_at=None
    )
    if not claimed:
        return None
    job = Import.objects.select_related("user").get(pk=import_id)
    resuming = job.entries_done > 0
    if not resuming:
        job.failures = []
    if not job.file:  # given up (its file deleted) while the Retry waited in the queue
        _end_failed(job, _("Folio no longer has the file of this import; upload it again."))
        job.refresh_from_db()
        return job
    reader = _Reader(job, stop_on)
    to_fetch: list[int] = []
    try:
        with job.file.open("rb") as handle:
            if not job.total:
                job.total = sum(1 for _item in reader.items(handle, notices=False))
                handle.seek(0)
                if reader.error and not job.total:
                    _save_counters(job)
                    _end_failed(job, reader.error)
                    job.refresh_from_db()
                    return job
                _save_counters(job)
            size = max(1, settings.FOLIO_IMPORT_BATCH_SIZE)
            # Where the file allows it (plain CSV), start right after the entries already handled;
            # otherwise read them again without writing them.
            resume = None
            if resuming and job.resume_offset and job.format in importers.RESUMABLE:
                resume = (job.resume_offset, job.resume_line)
            skip = 0 if resume else job.entries_done
            position, written = 0, 0
            batch: list[ImportItem] = []
            cancelled = False
            items = reader.items(handle, notices=not resuming, resume=resume, count=job.entries_done - skip)
            for item in items:
                position += 1
                if position <= skip:
                    continue  # written by an earlier run
                batch.append(item)
                if len(batch) < size:
                    continue
                if written and not _still_running(job):
                    cancelled = True
                    break
                to_fetch += _commit_batch(job, batch, progress)
                written += 1
                batch = []
            if batch and not cancelled and (not written or _still_running(job)):
                to_fetch += _commit_batch(job, batch, progress)
        if reader.error and not cancelled:
            job.failures.append(
                {"line": 0, "url": "", "reason": reader.error + " Entries before it were imported."}
            )
    except stop_on:
        _end_failed(job, stopped_reason(), keep_file=True)
    except Exception:
        logger.exception("Import %s stopped", import_id)
        _end_failed(job, error_reason(), keep_file=True)
    else:
        _save_counters(job)
        if Import.objects.filter(pk=job.pk, status=Import.Status.RUNNING).update(
            status=Import.Status.DONE, finished_at=timezone.now()
        ):
            _discard_file(job)
    # Fetching starts once every entry is written, so the write phase has the machine to itself and the
    # person sees the whole import in the library quickly; chunks are in host-interleaved order.
    fetch_enqueue_on_commit(_fetch_order(to_fetch))
    job.refresh_from_db()
    return job


def _still_running(job: Import) -> bool:
    """False once the import was cancelled (import_cancel) or ended by the sweeper: stop writing."""
    return Import.objects.filter(pk=job.pk, status=Import.Status.RUNNING).exists()


def _commit_batch(job: Import, batch: list[ImportItem], progress: ProgressCallback | None) -> list[int]:
    """Write one batch and its counters (``entries_done`` included) in one transaction; returns the ids
    to fetch."""
    with transaction.atomic():
        batch_fetch = _write_batch(job, batch)
        job.entries_done += len(batch)
        job.resume_offset, job.resume_line = batch[-1].resume or (0, 0)
        _save_counters(job)
    if progress is not None:
        progress(job)
    if connection.vendor == "sqlite":
        # SQLite has one writer at a time: a short gap between batches lets a person's own save
        # (waiting in its busy handler) take the lock instead of queueing behind the whole import.
        time.sleep(SQLITE_BATCH_GAP)
    return batch_fetch


def import_fetch_chunk(
    *,
    article_ids: list[int],
    seconds: float,
    retry_later: Callable[[int, RetryLater], object],
    stop_on: tuple[type[BaseException], ...] = (),
    fetch_timeout: float | None = None,
) -> list[int]:
    """Process imported articles one after another for about ``seconds``, then hand the rest back to the
    queue as a new chunk, so that a worker slot returns to the person's own saves at least that often.

    The policy comes from the task (``articles.tasks.import_fetch_task``): ``retry_later(article_id,
    exc)`` is called for an article whose fetch may succeed later (RetryLater), and an exception in
    ``stop_on`` (the task's soft time limit) ends the chunk: the article being processed is marked failed
    and the rest is re-queued. The others end ``ready`` or ``failed`` as usual. ``fetch_timeout`` bounds
    each page's download and images (the save lane's FOLIO_FETCH_FAST_TIMEOUT; see article_process).
    Returns the ids not processed in this call (already re-queued).
    """
    deadline = time.monotonic() + seconds
    ids = list(article_ids)
    while ids:
        if time.monotonic() >= deadline and len(ids) < len(article_ids):
            break  # at least one article per call, however short the budget
        article_id = ids.pop(0)
        try:
            article_process(article_id=article_id, fetch_timeout=fetch_timeout)
        except RetryLater as exc:
            retry_later(article_id, exc)
        except stop_on:
            article_mark_failed(
                article_id=article_id,
                reason="Processing the page took too long, so Folio stopped. Try again later.",
            )
            break
    if ids:
        # Fresh updated_at tells the sweeper these rows are in the queue, not lost.
        Article.objects.filter(id__in=ids, status=Article.Status.QUEUED).update(updated_at=timezone.now())
        queue_seam.import_fetch_enqueue(article_ids=ids)
    return ids


def import_progress(job: Import) -> dict[str, int]:
    """Fetch progress of the articles an import created: ``{ready, failed, remaining}`` (one query)."""
    counts = Article.objects.filter(import_job=job, deleted_at__isnull=True).aggregate(
        ready=Count("id", filter=Q(status=Article.Status.READY)),
        failed=Count("id", filter=Q(status=Article.Status.FAILED)),
        remaining=Count("id", filter=Q(status__in=[Article.Status.QUEUED, Article.Status.FETCHING])),
    )
    return {name: counts[name] or 0 for name in ("ready", "failed", "remaining")}


def import_retry_failed(*, user: User, import_id: int) -> int:
    """Queue again, on the import queue, the articles of one of the user's imports whose fetch failed.

    Returns how many were queued. Raises NotFoundError for someone else's import.
    """
    job = Import.objects.filter(pk=import_id, user=user).first()
    if job is None:
        raise NotFoundError(gettext("No such import."))
    ids = list(
        Article.objects.filter(
            import_job=job, status=Article.Status.FAILED, deleted_at__isnull=True
        ).values_list("id", flat=True)
    )
    Article.objects.filter(id__in=ids).update(
        status=Article.Status.QUEUED, failure_reason="", attempts=0, updated_at=timezone.now()
    )
    fetch_enqueue_on_commit(ids)
    return len(ids)


#: The reason a cancelled import ends with.
CANCELLED_REASON = "You cancelled this import. The entries written before that are in your library."


def import_cancel(*, user: User, import_id: int) -> bool:
    """Cancel one of the user's imports that is still ``pending`` or ``running``, or give up a failed one
    kept for a Retry: it ends ``failed`` with CANCELLED_REASON and its file is deleted; a running import
    stops before its next batch (the entries already written stay, and their articles are fetched).
    Returns False if it had already ended for good. Raises NotFoundError for someone else's import."""
    job = Import.objects.filter(pk=import_id, user=user).first()
    if job is None:
        raise NotFoundError(gettext("No such import."))
    ended = Import.objects.filter(
        pk=job.pk, status__in=[Import.Status.PENDING, Import.Status.RUNNING]
    ).update(status=Import.Status.FAILED, error=CANCELLED_REASON, finished_at=timezone.now())
    if not ended and import_can_restart(job):
        ended = Import.objects.filter(pk=job.pk, status=Import.Status.FAILED).update(error=CANCELLED_REASON)
    if ended:
        _discard_file(job)
    return bool(ended)


def import_can_restart(job: Import) -> bool:
    """Whether ``job`` can be resumed with import_restart: it ended ``failed`` with its file kept (stopped
    by its time limit, a write error or a dead worker; not cancelled, not unreadable, not given up)."""
    return job.status == Import.Status.FAILED and bool(job.file)


def import_restart(*, user: User, import_id: int) -> bool:
    """Retry one of the user's failed imports from where it stopped: it goes back to ``pending`` and is
    queued; its run skips the ``entries_done`` entries already written (entries already saved would be
    skipped by the saving service anyway). Returns False when it cannot be resumed (see
    import_can_restart). Raises NotFoundError for someone else's import."""
    job = Import.objects.filter(pk=import_id, user=user).first()
    if job is None:
        raise NotFoundError("No such import.")
    if not import_can_restart(job):
        return False
    with transaction.atomic():
        restarted = (
            Import.objects.filter(pk=job.pk, status=Import.Status.FAILED)
            .exclude(file="")
            .update(status=Import.Status.PENDING, error="", finished_at=None, started_at=None)
        )
        if restarted:
            transaction.on_commit(lambda: queue_seam.import_run_enqueue(job.pk))
    return bool(restarted)


def import_requeue_stale() -> int:
    """Queue imports left ``pending`` for FOLIO_STALE_AFTER seconds (the broker was down at upload); end
    ``failed`` (stopped_reason, file kept for a Retry) imports ``running`` for FOLIO_IMPORT_RUN_STALE_AFTER
    seconds: their worker died (SIGKILL, the hard time limit), and nothing else would ever end them
    (issue 21.3); and delete the files of failed imports not retried within FOLIO_IMPORT_KEEP_FAILED
    seconds (given up). Returns how many pending imports were sent."""
    from datetime import timedelta

    now = timezone.now()
    for job in Import.objects.filter(
        status=Import.Status.RUNNING,
        started_at__lt=now - timedelta(seconds=settings.FOLIO_IMPORT_RUN_STALE_AFTER),
    ):
        _end_failed(job, stopped_reason(), keep_file=True)
    for job in Import.objects.filter(
        status=Import.Status.FAILED,
        finished_at__lt=now - timedelta(seconds=settings.FOLIO_IMPORT_KEEP_FAILED),
    ).exclude(file=""):
        _discard_file(job)
    cutoff = now - timedelta(seconds=settings.FOLIO_STALE_AFTER)
    ids = list(
        Import.objects.filter(status=Import.Status.PENDING, created_at__lt=cutoff).values_list(
            "id", flat=True
        )
    )
    for import_id in ids:
        queue_seam.import_run_enqueue(import_id)
    return len(ids)
