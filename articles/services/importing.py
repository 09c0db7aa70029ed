"""Importing an export file: ``import_create`` stores the upload and queues ``import_run``, which parses the
file (``articles.importers``) and writes its entries in batches.

Each batch of FOLIO_IMPORT_BATCH_SIZE entries costs a fixed number of queries: one to find the URLs
already saved, one ``bulk_create`` of the new articles (and one to read their ids back), one per new tag
name, one for the tag links, one for the highlights, one for the counters. Articles whose file carries
their content (wallabag, Omnivore, Folio) are stored ``ready`` without a fetch; the others are queued on
the low-priority ``FOLIO_IMPORT_QUEUE``, one message per batch (``import_fetch_task``), so that a
person's own saves stay fast. Entries are ordered
round-robin by host before batching, so consecutive fetches go to different sites.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import lxml.html
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import importers, sanitizing
from ..errors import ArticleError
from ..extraction import count_words, html_to_text
from ..importers import ImportFileError, ImportItem
from ..models import Article, Highlight, Import, Tag
from ..urlnorm import normalize_url, validate_url
from .library import MAX_TAG_LENGTH, clean_tag_names, tag_get_or_create_many

logger = logging.getLogger(__name__)

#: Seconds between two batches on SQLite (see import_run): longer than the 100 ms longest sleep of SQLite's
#: busy handler (sqliteDefaultBusyCallback), so a waiting writer always wakes up inside the gap.
SQLITE_BATCH_GAP = 0.11
#: Failures kept on the Import row (the counters still count every one).
MAX_FAILURES_KEPT = 1000

ProgressCallback = Callable[[Import], None]


class ImportRejectedError(ArticleError):
    """The uploaded file cannot be imported at all (too large, empty, unknown format)."""


def size_message(limit: int) -> str:
    """The message for a file over ``limit`` bytes."""
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return f"The file is larger than the {size} Folio imports."


def import_create(*, user: AbstractBaseUser, data: bytes, filename: str, enqueue: bool = True) -> Import:
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
        raise ImportRejectedError(exc.message) from exc
    safe_name = (filename or "import").replace("\\", "/").rsplit("/", 1)[-1][:200] or "import"
    with transaction.atomic():
        job = Import(user=user, filename=safe_name, format=fmt)
        job.file.save(f"{user.pk}-{safe_name}", ContentFile(data), save=False)
        job.save()
        job_id = job.pk
        if enqueue:
            transaction.on_commit(lambda: _enqueue_run(job_id))
    return job


def _enqueue_run(import_id: int) -> None:
    from ..tasks import import_run_task

    try:
        import_run_task.apply_async((import_id,), queue=settings.FOLIO_IMPORT_QUEUE)
    except Exception:  # broker down: the person sees "waiting" and the sweeper below picks it up
        logger.exception("Could not queue import %s", import_id)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def interleave_by_host(items: Iterable[ImportItem]) -> list[ImportItem]:
    """``items`` reordered round-robin over their hosts (each host's own order kept), so that a large import
    never sends a run of fetches to one site."""
    groups: OrderedDict[str, list[ImportItem]] = OrderedDict()
    for item in items:
        groups.setdefault(_host(item.url), []).append(item)
    queues = [iter(group) for group in groups.values()]
    result: list[ImportItem] = []
    while queues:
        still = []
        for queue in queues:
            item = next(queue, None)
            if item is not None:
                result.append(item)
                still.append(queue)
        queues = still
    return result


def _fail(job: Import, item: ImportItem, reason: str) -> None:
    job.failed_count += 1
    if len(job.failures) < MAX_FAILURES_KEPT:
        job.failures.append({"line": item.line, "url": item.url[:300], "reason": reason})


def _content_fields(item: ImportItem, url: str) -> dict:
    """Fields of an article whose stored content came with the file (status ``ready``, no fetch)."""
    content_html = sanitizing.clean(item.content_html, url)
    text = item.extra.get("content_text") or ""
    if not text and content_html.strip():
        try:
            text = html_to_text(lxml.html.fragment_fromstring(content_html, create_parent="div"))
        except (ValueError, lxml.etree.ParserError):
            text = ""
    words = count_words(text)
    return {
        "content_html": content_html,
        "content_text": text,
        "word_count": words,
        "reading_time_minutes": Article.reading_time_for(words),
        "status": Article.Status.READY,
        "fetched_at": timezone.now(),
    }


def _extra_fields(item: ImportItem) -> dict:
    """Metadata a Folio export carries beyond the shared fields."""
    import datetime as dt

    fields: dict = {}
    for name, limit in (("author", 500), ("site_name", 200), ("language", 8)):
        if isinstance(item.extra.get(name), str):
            fields[name] = item.extra[name][:limit]
    if isinstance(item.extra.get("excerpt"), str):
        fields["excerpt"] = item.extra["excerpt"]
    lead = item.extra.get("lead_image")
    if isinstance(lead, str) and lead.startswith(("http://", "https://")) and len(lead) <= 2048:
        fields["lead_image"] = lead
    with contextlib.suppress(KeyError, ValueError):
        fields["published"] = dt.date.fromisoformat(str(item.extra["published"]))
    for key in ("progress", "progress_percent"):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            fields["progress_percent"] = max(0.0, min(float(item.extra[key]), 100.0))
    for name in ("final_url", "canonical_url"):
        value = item.extra.get(name)
        if isinstance(value, str) and value:
            try:
                fields[name] = validate_url(value)
                fields[name.replace("_url", "_key")] = normalize_url(value)
            except ArticleError:
                pass
    return fields


def _tag_names(item: ImportItem) -> list[str]:
    return clean_tag_names(name[:MAX_TAG_LENGTH] for name in item.tags)


def _write_batch(
    job: Import, batch: list[ImportItem], seen: set[str], tag_cache: dict[str, Tag]
) -> list[int]:
    """Write one batch of entries; returns the ids of the articles to fetch. Counters update on ``job``."""
    user = job.user
    now = timezone.now()
    wanted: list[tuple[ImportItem, str, str]] = []  # (item, url, key)
    for item in batch:
        if item.error:
            _fail(job, item, item.error)
            continue
        try:
            url = validate_url(item.url)
            key = normalize_url(url)
        except ArticleError as exc:
            _fail(job, item, exc.message if item.url else "The entry has no address.")
            continue
        if key in seen:
            job.duplicate_count += 1
            continue
        seen.add(key)
        wanted.append((item, url, key))
    keys = [key for _, _, key in wanted]
    existing: set[str] = set()
    if keys:
        rows = (
            Article.objects.filter(user=user)
            .filter(Q(url_key__in=keys) | Q(final_key__in=keys) | Q(canonical_key__in=keys))
            .values_list("url_key", "final_key", "canonical_key")
        )
        for row in rows:
            existing.update(k for k in row if k)
    new: list[tuple[ImportItem, Article]] = []
    for item, url, key in wanted:
        if key in existing:
            job.duplicate_count += 1
            continue
        saved_at = item.saved_at or now
        read_at = item.read_at or ((item.saved_at or now) if item.is_read else None)
        fields = {"title": (item.title or "")[:500], **_extra_fields(item)}
        if item.content_html.strip():
            fields.update(_content_fields(item, url))
        article = Article(
            user=user,
            url=url,
            url_key=key,
            source=Article.Source.IMPORT,
            import_job=job,
            saved_at=saved_at,
            read_at=read_at,
            is_archived=item.is_archived,
            is_favorite=item.is_favorite,
            **fields,
        )
        new.append((item, article))
    if not new:
        return []
    Article.objects.bulk_create([a for _, a in new], ignore_conflicts=True)
    ids = dict(
        Article.objects.filter(
            user=user, import_job=job, url_key__in=[a.url_key for _, a in new]
        ).values_list("url_key", "id")
    )
    job.duplicate_count += len(new) - len(ids)  # lost a race with a concurrent save of the same URL
    job.created_count += len(ids)
    missing = {n.casefold(): n for item, _ in new for n in _tag_names(item) if n.casefold() not in tag_cache}
    if missing:
        for tag in Tag.objects.filter(user=user, name__in=list(missing.values())):
            tag_cache[tag.name.casefold()] = tag
        still = [n for c, n in missing.items() if c not in tag_cache]
        for tag in tag_get_or_create_many(user=user, names=still):
            tag_cache[tag.name.casefold()] = tag
    links: list[tuple[int, int]] = []
    highlights, to_fetch = [], []
    for item, article in new:
        article_id = ids.get(article.url_key)
        if article_id is None:
            continue
        for name in _tag_names(item):
            links.append((article_id, tag_cache[name.casefold()].pk))
        for h in item.highlights:
            highlights.append(
                Highlight(
                    article_id=article_id,
                    quote=h.quote,
                    note=h.note,
                    anchor=h.anchor,
                    created_at=h.created_at or now,
                )
            )
        if article.status != Article.Status.READY:
            to_fetch.append(article_id)
    _link_tags(links)
    Highlight.objects.bulk_create(highlights)
    return to_fetch


def _link_tags(links: list[tuple[int, int]]) -> None:
    """Insert ``(article_id, tag_id)`` rows into the tags table in one statement per batch. Plain SQL: model
    instances for 40,000 links cost more CPU than the rest of a 20,000-entry import. ``ON CONFLICT DO
    NOTHING`` is understood by PostgreSQL (9.5+) and SQLite (3.24+)."""
    if not links:
        return
    through = Article.tags.through
    table = connection.ops.quote_name(through._meta.db_table)
    article_col = connection.ops.quote_name(through._meta.get_field("article").column)
    tag_col = connection.ops.quote_name(through._meta.get_field("tag").column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({article_col}, {tag_col}) VALUES (%s, %s) ON CONFLICT DO NOTHING", links
        )


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
        "created_count": job.created_count,
        "duplicate_count": job.duplicate_count,
        "failed_count": job.failed_count,
        "failures": job.failures,
        **extra,
    }
    Import.objects.filter(pk=job.pk).update(**fields)


def import_run(*, import_id: int, progress: ProgressCallback | None = None) -> Import | None:
    """Parse the stored file of Import ``import_id`` and write its entries. Returns the Import, or None if it
    is not ``pending`` (already run or running elsewhere).

    ``progress`` is called with the Import after every batch (the management command's progress bar).
    File-level problems end the import ``failed`` with a readable ``error``; entries read before a
    problem are still imported.
    """
    claimed = Import.objects.filter(pk=import_id, status=Import.Status.PENDING).update(
        status=Import.Status.RUNNING
    )
    if not claimed:
        return None
    job = Import.objects.select_related("user").get(pk=import_id)
    job.failures = []
    items: list[ImportItem] = []
    error = ""
    try:
        with job.file.open("rb") as handle:
            data = handle.read(settings.FOLIO_IMPORT_MAX_BYTES + 1)
        for item in importers.parse_file(data, job.format or importers.detect_format(data, job.filename)):
            if item.extra.get("notice"):
                job.failures.append({"line": 0, "url": "", "reason": item.error})
            else:
                items.append(item)
    except ImportFileError as exc:
        error = exc.message
    except (OSError, MemoryError, RecursionError) as exc:
        logger.exception("Import %s could not be read", import_id)
        error = f"Folio could not read the file ({type(exc).__name__})."
    if error and not items:
        _discard_file(job)
        _save_counters(job, status=Import.Status.FAILED, error=error, finished_at=timezone.now())
        job.refresh_from_db()
        return job
    if error:
        job.failures.append({"line": 0, "url": "", "reason": error + " Entries before it were imported."})
    job.total = len(items)
    _save_counters(job)
    ordered = interleave_by_host(items)
    del items
    seen: set[str] = set()
    tag_cache: dict[str, Tag] = {}
    size = max(1, settings.FOLIO_IMPORT_BATCH_SIZE)
    to_fetch: list[int] = []
    for start in range(0, len(ordered), size):
        with transaction.atomic():
            to_fetch += _write_batch(job, ordered[start : start + size], seen, tag_cache)
            _save_counters(job)
        if progress is not None:
            progress(job)
        if connection.vendor == "sqlite":
            # SQLite has one writer at a time: a short gap between batches lets a person's own save (waiting
            # in its busy handler) take the lock instead of queueing behind the whole import.
            time.sleep(SQLITE_BATCH_GAP)
    _discard_file(job)
    _save_counters(job, status=Import.Status.DONE, finished_at=timezone.now())
    # Fetching starts once every entry is written, so the write phase has the machine to itself and the
    # person sees the whole import in the library quickly; chunks keep the host-interleaved order.
    for start in range(0, len(to_fetch), size):
        transaction.on_commit(
            lambda ids=to_fetch[start : start + size]: import_fetch_enqueue(article_ids=ids)
        )
    job.refresh_from_db()
    return job


def import_fetch_enqueue(*, article_ids: list[int], countdown: float | None = None) -> bool:
    """Send one ``import_fetch_task`` for a chunk of imported articles to FOLIO_IMPORT_QUEUE; False (logged)
    when the broker is down (the rows stay ``queued``; the sweeper or the import page's retry sends them).

    One message per chunk rather than per article: publishing is the slow part of a large import (about
    5 ms a message on a loaded machine, so 100 s for 20,000 articles; see bench/import_bench.py).
    """
    from ..tasks import import_fetch_task

    try:
        import_fetch_task.apply_async((article_ids,), queue=settings.FOLIO_IMPORT_QUEUE, countdown=countdown)
    except Exception:
        logger.exception("Could not queue %d imported articles", len(article_ids))
        return False
    return True


def import_fetch_chunk(*, article_ids: list[int], seconds: float) -> list[int]:
    """Process imported articles one after another for about ``seconds``, then hand the rest back to the
    queue as a new chunk, so that a worker slot returns to the person's own saves at least that often.

    An article whose fetch may succeed later goes back to the import queue on its own with backoff
    (``article_process_task``); the others end ``ready`` or ``failed`` as usual. Returns the ids not
    processed in this call (already re-queued).
    """
    from celery.exceptions import SoftTimeLimitExceeded

    from ..fetching import FetchTemporaryError
    from ..tasks import article_process_task, retry_countdown
    from .processing import article_mark_failed, article_process

    deadline = time.monotonic() + seconds
    ids = list(article_ids)
    while ids:
        if time.monotonic() >= deadline and len(ids) < len(article_ids):
            break  # at least one article per call, however short the budget
        article_id = ids.pop(0)
        try:
            article_process(article_id=article_id)
        except FetchTemporaryError as exc:
            article_process_task.apply_async(
                (article_id,),
                queue=settings.FOLIO_IMPORT_QUEUE,
                countdown=retry_countdown(0, exc.retry_after),
            )
        except SoftTimeLimitExceeded:
            article_mark_failed(
                article_id=article_id,
                reason="Processing the page took too long, so Folio stopped. Try again later.",
            )
            break
    if ids:
        # Fresh updated_at tells the sweeper these rows are in the queue, not lost.
        Article.objects.filter(id__in=ids, status=Article.Status.QUEUED).update(updated_at=timezone.now())
        import_fetch_enqueue(article_ids=ids)
    return ids


def import_progress(job: Import) -> dict[str, int]:
    """Fetch progress of the articles an import created: ``{ready, failed, remaining}`` (one query)."""
    counts = Article.objects.filter(import_job=job, deleted_at__isnull=True).aggregate(
        ready=Count("id", filter=Q(status=Article.Status.READY)),
        failed=Count("id", filter=Q(status=Article.Status.FAILED)),
        remaining=Count("id", filter=Q(status__in=[Article.Status.QUEUED, Article.Status.FETCHING])),
    )
    return {name: counts[name] or 0 for name in ("ready", "failed", "remaining")}


def import_retry_failed(*, user: AbstractBaseUser, import_id: int) -> int:
    """Queue again, on the import queue, the articles of one of the user's imports whose fetch failed.

    Returns how many were queued. Raises Import.DoesNotExist for someone else's import.
    """
    job = Import.objects.get(pk=import_id, user=user)
    ids = list(
        Article.objects.filter(
            import_job=job, status=Article.Status.FAILED, deleted_at__isnull=True
        ).values_list("id", flat=True)
    )
    Article.objects.filter(id__in=ids).update(
        status=Article.Status.QUEUED, failure_reason="", attempts=0, updated_at=timezone.now()
    )
    size = max(1, settings.FOLIO_IMPORT_BATCH_SIZE)
    for start in range(0, len(ids), size):
        transaction.on_commit(lambda chunk=ids[start : start + size]: import_fetch_enqueue(article_ids=chunk))
    return len(ids)


def import_requeue_stale() -> int:
    """Queue imports left ``pending`` for FOLIO_STALE_AFTER seconds (the broker was down at upload)."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(seconds=settings.FOLIO_STALE_AFTER)
    ids = list(
        Import.objects.filter(status=Import.Status.PENDING, created_at__lt=cutoff).values_list(
            "id", flat=True
        )
    )
    for import_id in ids:
        _enqueue_run(import_id)
    return len(ids)
