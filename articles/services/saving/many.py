"""The bulk door of saving: ``article_save_many`` writes a batch of entries (an import batch, a feed's new
items) in a fixed number of queries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ...errors import ArticleError
from ...importers import ImportItem
from ...limits import (
    ARTICLE_NOTE_MAX_LENGTH,
    AUTHOR_MAX_LENGTH,
    FINISHED_PERCENT,
    LANGUAGE_MAX_LENGTH,
    SITE_NAME_MAX_LENGTH,
    TAG_NAME_MAX_LENGTH,
    TAGS_PER_REQUEST_MAX,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
)
from ...models import Article, Highlight, Import
from ...urlnorm import normalize_url, validate_url
from .. import enqueue
from ..events import ARTICLE_READY, ARTICLE_SAVED, emit_many
from ..highlights import highlight_build_for_import
from ..processing import article_store_extraction, extraction_from_content
from ..tags import clean_tag_names, tag_get_or_create_many
from .metadata import clean_published


@dataclass
class SaveManyResult:
    """What article_save_many did with a batch of entries.

    ``created``: ids of the new articles, in entry order; ``duplicates``: entries already saved (before or
    earlier in the batch); ``failures``: ``(entry, reason)`` of the entries refused (a bad address, an
    entry the parser marked with ``error``); ``to_fetch``: ids of the new articles waiting for the worker
    (those whose entry carried no content).
    """

    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    failures: list[tuple[ImportItem, str]] = field(default_factory=list)
    to_fetch: list[int] = field(default_factory=list)


def _entry_metadata(entry: ImportItem) -> dict[str, Any]:
    """Fields of the article that an entry's ``extra`` carries (Folio's own export carries them all);
    values that do not fit are left out, never refused: one odd field must not lose the entry."""
    extra = entry.extra
    fields: dict[str, object] = {}
    for name, limit in (
        ("author", AUTHOR_MAX_LENGTH),
        ("site_name", SITE_NAME_MAX_LENGTH),
        ("language", LANGUAGE_MAX_LENGTH),
    ):
        if isinstance(extra.get(name), str):
            fields[name] = extra[name][:limit]
    if isinstance(extra.get("excerpt"), str):
        fields["excerpt"] = extra["excerpt"]
    lead = extra.get("lead_image")
    if isinstance(lead, str) and lead.startswith(("http://", "https://")) and len(lead) <= URL_MAX_LENGTH:
        fields["lead_image"] = lead
    with contextlib.suppress(KeyError, ValueError, ArticleError):
        fields["published"] = clean_published(extra["published"])
    for key in ("progress", "progress_percent"):
        with contextlib.suppress(KeyError, TypeError, ValueError):
            fields["progress_percent"] = max(0.0, min(float(extra[key]), 100.0))
    note = extra.get("note")
    if isinstance(note, str) and note.strip():  # the note on the article (Folio's export); cut, never refused
        fields["note"] = note.strip()[:ARTICLE_NOTE_MAX_LENGTH]
    for name in ("final_url", "canonical_url"):
        value = extra.get(name)
        if isinstance(value, str) and value:
            try:
                fields[name] = validate_url(value)
                fields[name.replace("_url", "_key")] = normalize_url(value)
            except ArticleError:
                pass
    return fields


def _entry_article(
    entry: ImportItem, *, user: User, url: str, key: str, origin: str, job: Import | None, now
) -> Article:
    """The unsaved Article for one entry; an entry that carries its content is stored ``ready`` through
    processing.article_store_extraction, exactly as a processed article is."""
    fields = _entry_metadata(entry)
    if "note" in fields:
        fields["note_updated_at"] = now
    saved_at = entry.saved_at or now
    read_at = entry.read_at or (saved_at if entry.is_read else None)
    if read_at is None and fields.get("progress_percent", 0.0) >= FINISHED_PERCENT:
        read_at = saved_at
    article = Article(
        user=user,
        url=url,
        url_key=key,
        source=Article.Source.IMPORT,
        origin=origin,
        import_job=job,
        saved_at=saved_at,
        read_at=read_at,
        is_archived=entry.is_archived,
        is_favorite=entry.is_favorite,
        title=(entry.title or "")[:TITLE_MAX_LENGTH],
        **{k: v for k, v in fields.items() if k not in ("final_url", "final_key")},
    )
    if entry.content_html.strip():
        content = extraction_from_content(
            html=entry.content_html,
            url=url,
            text=str(entry.extra.get("content_text") or ""),
            title=article.title,
            metadata=fields,
        )
        article_store_extraction(
            article=article, extraction=content, final_url=fields.get("final_url", ""), save=False
        )
    elif "final_url" in fields:
        article.final_url, article.final_key = fields["final_url"], fields["final_key"]
    return article


def duplicate_keys_of(*, user: User, keys: list[str]) -> QuerySet:
    """``(url_key, final_key, canonical_key)`` of the user's articles (deleted ones included) whose given,
    final or canonical address has one of the normalized ``keys``: the duplicate check of a batch, one query
    that PostgreSQL may answer from the same three indexes as a single save's when the library is large."""
    return (
        Article.objects.filter(user=user)
        .filter(
            # The '' exclusions repeat the partial indexes' predicates, so that PostgreSQL can use them for
            # an IN list of any length (it proves a partial index's predicate from an IN list of at most
            # 100 values only: predtest.c, MAX_SAOP_ARRAY_SIZE).
            Q(url_key__in=keys)
            | (Q(final_key__in=keys) & ~Q(final_key=""))
            | (Q(canonical_key__in=keys) & ~Q(canonical_key=""))
        )
        .order_by()
        .values_list("url_key", "final_key", "canonical_key")
    )


def article_save_many(
    *,
    user: User,
    entries: Iterable[ImportItem],
    origin: str,
    import_job: Import | None = None,
    queue_fetch: bool = True,
) -> SaveManyResult:
    """Save many entries for ``user`` at once (an import batch, a feed's new items): the bulk door.

    ``entries`` are ``importers.ImportItem`` (address, title, tags, saved/read times, states, highlights,
    optional ``content_html`` and the ``extra`` fields of Folio's export). Entries already saved (the
    given, final or canonical address of an article, deleted ones included) and repeats inside the batch
    are counted as duplicates and left alone. A new entry that carries its content is stored ``ready``
    (article_store_extraction derives the search configuration, excerpt, hash and reading time); the
    others are ``queued`` and, with ``queue_fetch``, sent to FOLIO_IMPORT_QUEUE in one message per
    FOLIO_IMPORT_BATCH_SIZE articles when the transaction commits (imports send them themselves once
    every batch is written). Progress at or past FINISHED_PERCENT marks an entry read.

    A fixed number of queries whatever the batch size: one for duplicates, one insert of the articles and
    one read of their ids, at most three for tags, one insert of the tag links, one of the highlights.
    Bad entries never stop the batch: they are returned in ``failures`` with a reason. Raises ValueError
    for an unknown ``origin``.
    """
    if origin not in Article.Origin.values:
        raise ValueError(f"Unknown origin {origin!r}")
    result = SaveManyResult()
    now = timezone.now()
    wanted: list[tuple[ImportItem, str, str]] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.error:
            result.failures.append((entry, entry.error))
            continue
        try:
            url = validate_url(entry.url)
            key = normalize_url(url)
        except ArticleError as exc:
            result.failures.append((entry, exc.message if entry.url else "The entry has no address."))
            continue
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        wanted.append((entry, url, key))
    if not wanted:
        return result
    keys = [key for _, _, key in wanted]
    existing: set[str] = set()
    rows = duplicate_keys_of(user=user, keys=keys)
    for row in rows:
        existing.update(k for k in row if k)
    new: list[tuple[ImportItem, Article]] = []
    for entry, url, key in wanted:
        if key in existing:
            result.duplicates += 1
            continue
        article = _entry_article(entry, user=user, url=url, key=key, origin=origin, job=import_job, now=now)
        new.append((entry, article))
    if not new:
        return result
    Article.objects.bulk_create([a for _, a in new], ignore_conflicts=True)
    mine = Article.objects.filter(user=user, url_key__in=[a.url_key for _, a in new])
    if import_job is not None:
        mine = mine.filter(import_job=import_job)
    ids = dict(mine.values_list("url_key", "id"))
    result.duplicates += len(new) - len(ids)  # lost a race with a concurrent save of the same address
    tag_names = [_entry_tag_names(entry) for entry, _ in new]
    all_names = clean_tag_names(name for names in tag_names for name in names)
    tags = dict(
        zip([n.lower() for n in all_names], tag_get_or_create_many(user=user, names=all_names), strict=True)
    )
    links: list[tuple[int, int]] = []
    highlights: list[Highlight] = []
    for (entry, article), names in zip(new, tag_names, strict=True):
        article_id = ids.get(article.url_key)
        if article_id is None:
            continue
        result.created.append(article_id)
        links += [(article_id, tags[name.lower()].pk) for name in names]
        for h in entry.highlights:
            highlight = highlight_build_for_import(
                article_id=article_id,
                quote=h.quote,
                note=h.note,
                anchor=h.anchor,
                created_at=h.created_at or now,
            )
            if highlight is not None:
                highlights.append(highlight)
        if article.status != Article.Status.READY:
            result.to_fetch.append(article_id)
    _link_tags(links)
    Highlight.objects.bulk_create(highlights)
    emit_many(ARTICLE_SAVED, user_id=user.pk, article_ids=result.created)
    to_fetch = set(result.to_fetch)
    emit_many(ARTICLE_READY, user_id=user.pk, article_ids=[i for i in result.created if i not in to_fetch])
    if queue_fetch and result.to_fetch:
        fetch_enqueue_on_commit(result.to_fetch)
    return result


def fetch_enqueue_on_commit(article_ids: list[int]) -> None:
    """Send ``import_fetch_task`` messages for ``article_ids`` (FOLIO_IMPORT_BATCH_SIZE per message, in the
    given order) when the transaction commits."""
    size = max(1, settings.FOLIO_IMPORT_BATCH_SIZE)
    for start in range(0, len(article_ids), size):
        chunk = article_ids[start : start + size]
        transaction.on_commit(partial(enqueue.import_fetch_enqueue, article_ids=chunk))


def _entry_tag_names(entry: ImportItem) -> list[str]:
    """An entry's tags, at most TAGS_PER_REQUEST_MAX of them (as on every other face): a bookmarks file
    with 10,000 nested folders must not give one bookmark 10,000 tags (issue 21.3)."""
    return clean_tag_names(name[:TAG_NAME_MAX_LENGTH] for name in entry.tags[: TAGS_PER_REQUEST_MAX * 2])[
        :TAGS_PER_REQUEST_MAX
    ]


def _link_tags(links: list[tuple[int, int]]) -> None:
    """Insert ``(article_id, tag_id)`` rows into the tags table in one statement. Plain SQL: model
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
