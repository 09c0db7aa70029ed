"""Feed subscriptions' write path: subscribe, edit, pause, unsubscribe, poll, OPML import and export.

Every fetch goes through ``articles.fetching.fetch`` (SSRF guard, byte cap, deadline) with a conditional
GET (``If-None-Match`` / ``If-Modified-Since``, RFC 9110 §13.1); every new entry becomes an article
through ``articles.services.saving.article_save_many(origin="feed")`` (duplicate detection, tags, the
worker's fetch and extraction), and is remembered in a FeedEntry row so that it is never saved twice.

Schedule: a feed is due at ``next_poll_at``. A poll that reads the feed (304 included) sets it to now +
the feed's interval; a failed poll to now + interval * 2^(failures), at most FOLIO_FEED_MAX_BACKOFF
minutes (and never before the server's Retry-After).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.errors import ArticleError
from articles.fetching import HTML_TYPES, FetchedPage, FetchError, FetchTemporaryError, fetch
from articles.importers import ImportItem
from articles.models import Article
from articles.search import MatchItem, query_matches_item, search_query_parse
from articles.services.saving import article_save_many
from articles.services.tags import clean_tag_names
from articles.urlnorm import normalize_url, validate_url

from ..models import Feed, FeedEntry
from ..opml import OpmlError, OpmlFeed, opml_build, opml_parse
from ..parsing import (
    FEED_ACCEPT,
    FEED_TYPES,
    FeedParseError,
    ParsedEntry,
    ParsedFeed,
    discover_feeds,
    parse_feed,
)
from . import enqueue

logger = logging.getLogger(__name__)

__all__ = [
    "FeedError",
    "OpmlError",
    "OpmlImportResult",
    "PollResult",
    "feed_delete",
    "feed_poll",
    "feed_poll_now",
    "feed_set_paused",
    "feed_subscribe",
    "feed_update",
    "feeds_poll_due",
    "opml_export",
    "opml_import",
    "opml_read_limit",
]


class FeedError(Exception):
    """A feed request that cannot be carried out; ``message`` is shown to the person (pages: on the form;
    API: 400)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean_interval(minutes: int | None) -> int:
    """A feed's interval in minutes: FOLIO_FEED_DEFAULT_INTERVAL when not given, at least
    FOLIO_FEED_MIN_INTERVAL (politeness to the feed's server), at most 7 days."""
    if minutes is None:
        minutes = settings.FOLIO_FEED_DEFAULT_INTERVAL
    return max(settings.FOLIO_FEED_MIN_INTERVAL, min(int(minutes), 7 * 24 * 60))


def _clean_tags(tags) -> list[str]:
    try:
        return clean_tag_names(tags or [])[:20]
    except ArticleError as exc:
        raise FeedError(exc.message) from exc


def _clean_query(query: str) -> str:
    query = (query or "").strip()
    if len(query) > 1000:
        raise FeedError(_("The query is longer than 1,000 characters."))
    return query


def _fetch_feed(url: str, *, etag: str = "", last_modified: str = "") -> FetchedPage:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return fetch(
        url,
        accept_types=FEED_TYPES | HTML_TYPES,
        max_bytes=settings.FOLIO_FEED_MAX_BYTES,
        accept=FEED_ACCEPT,
        headers=headers,
    )


def _read(page: FetchedPage) -> ParsedFeed:
    return parse_feed(
        page.body, url=page.url, content_type=page.content_type, max_entries=settings.FOLIO_FEED_MAX_ENTRIES
    )


def feed_find(url: str) -> tuple[str, ParsedFeed]:
    """The feed at ``url``, or the first feed the page at ``url`` links (autodiscovery): returns
    ``(feed address, parsed feed)``. Raises FeedError with the reason (address refused or unreachable,
    neither a feed nor a page that links one)."""
    try:
        url = validate_url(url)
        page = _fetch_feed(url)
    except ArticleError as exc:
        raise FeedError(exc.message) from exc
    except FetchError as exc:
        raise FeedError(exc.reason) from exc
    try:
        return page.url, _read(page)
    except FeedParseError as exc:
        if page.content_type not in HTML_TYPES:
            raise FeedError(exc.reason) from exc
    candidates = discover_feeds(page.text, page.url)
    if not candidates:
        raise FeedError(_("This page is not a feed and links no RSS, Atom or JSON feed."))
    errors = []
    for candidate in candidates[:3]:
        try:
            linked = _fetch_feed(candidate)
            return linked.url, _read(linked)
        except FetchError as exc:
            errors.append(exc.reason)
        except FeedParseError as exc:
            errors.append(exc.reason)
    raise FeedError(_("The page links a feed, but it could not be read: %(error)s") % {"error": errors[0]})


def feed_subscribe(
    *,
    user: AbstractBaseUser,
    url: str,
    title: str = "",
    tags=(),
    interval: int | None = None,
    archive_on_arrival: bool = False,
    match_query: str = "",
) -> Feed:
    """Subscribe ``user`` to the feed at ``url`` (a feed's address, or a page that links one) and queue its
    first poll (when the transaction commits). The feed is fetched once here to check it is a feed.

    ``tags`` are given to every article the feed brings; ``interval`` minutes between polls
    (clean_interval); ``archive_on_arrival`` archives them at once; ``match_query`` (Folio's search
    language) keeps only the entries whose title and summary match (articles.search.matching).
    Raises FeedError (not a feed, unreachable, already followed, bad tags).
    """
    tags = _clean_tags(tags)
    match_query = _clean_query(match_query)
    feed_url, parsed = feed_find(url)
    feed = Feed(
        user=user,
        url=feed_url,
        site_url=parsed.site_url,
        title=(title or parsed.title or feed_url)[:300],
        kind=parsed.kind,
        tags=tags,
        interval=clean_interval(interval),
        archive_on_arrival=archive_on_arrival,
        match_query=match_query,
        next_poll_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            feed.save()
    except IntegrityError as exc:
        raise FeedError(_("You already follow this feed.")) from exc
    transaction.on_commit(lambda: enqueue.feed_poll_enqueue(feed.pk))
    return feed


def feed_update(
    feed: Feed,
    *,
    title: str | None = None,
    tags=None,
    interval: int | None = None,
    archive_on_arrival: bool | None = None,
    match_query: str | None = None,
) -> Feed:
    """Change a feed's settings (only those given). A new interval moves the next poll accordingly.
    Applies to entries that arrive from now on; articles already saved keep their tags and marks.
    Raises FeedError for bad tags or query."""
    if title is not None:
        feed.title = (title.strip() or feed.title)[:300]
    if tags is not None:
        feed.tags = _clean_tags(tags)
    if archive_on_arrival is not None:
        feed.archive_on_arrival = archive_on_arrival
    if match_query is not None:
        feed.match_query = _clean_query(match_query)
    if interval is not None:
        feed.interval = clean_interval(interval)
        if feed.last_polled_at and not feed.failures and not feed.is_paused:
            feed.next_poll_at = feed.last_polled_at + dt.timedelta(minutes=feed.interval)
    feed.save()
    return feed


def feed_set_paused(feed: Feed, paused: bool) -> Feed:
    """Pause (never polled) or resume (due at once, errors forgotten) a feed."""
    feed.is_paused = paused
    if not paused:
        feed.next_poll_at = timezone.now()
    feed.save(update_fields=["is_paused", "next_poll_at"])
    return feed


def feed_delete(feed: Feed) -> None:
    """Unsubscribe: the feed and its entry records go; the articles it brought stay in the library."""
    feed.delete()


def feed_poll_now(feed: Feed) -> bool:
    """Queue a poll of ``feed`` now (also a paused one: the person asked). Returns False when the broker
    is down (the feed is then due for beat's next run)."""
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    return enqueue.feed_poll_enqueue(feed.pk)


def feeds_poll_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queue one poll per due feed (not paused, ``next_poll_at`` passed), at most ``limit``, oldest due
    first. Each is claimed first (next poll moved one interval on), so a slow poll is not queued twice; a
    feed whose message the broker refused is due again. Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        Feed.objects.filter(is_paused=False)
        .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
        .order_by("next_poll_at")
        .values_list("id", "interval")[:limit]
    )
    queued = 0
    for feed_id, interval in due:
        claimed = (
            Feed.objects.filter(pk=feed_id, is_paused=False)
            .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
            .update(next_poll_at=now + dt.timedelta(minutes=interval))
        )
        if not claimed:
            continue
        if enqueue.feed_poll_enqueue(feed_id):
            queued += 1
        else:
            Feed.objects.filter(pk=feed_id).update(next_poll_at=now)
    return queued


@dataclass
class PollResult:
    """What one poll did: ``not_modified`` (a 304), ``created`` article ids, ``duplicates`` (already in the
    library), ``filtered`` (left out by the query), ``over_cap`` (passed over), ``error`` ("" when fine)."""

    not_modified: bool = False
    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    filtered: int = 0
    over_cap: int = 0
    invalid: int = 0
    error: str = ""


def _backoff_minutes(feed: Feed) -> float:
    return min(feed.interval * 2 ** min(feed.failures, 20), settings.FOLIO_FEED_MAX_BACKOFF)


def _record_failure(feed: Feed, reason: str, retry_after: float | None = None) -> None:
    now = timezone.now()
    feed.failures += 1
    feed.last_error = reason[:2000]
    feed.last_polled_at = now
    wait = dt.timedelta(minutes=_backoff_minutes(feed))
    if retry_after:
        wait = max(wait, dt.timedelta(seconds=min(retry_after, 7 * 24 * 3600)))
    feed.next_poll_at = now + wait
    feed.save(update_fields=["failures", "last_error", "last_polled_at", "next_poll_at"])


def feed_poll(*, feed_id: int) -> PollResult:
    """Poll feed ``feed_id`` once: a conditional GET, then its new entries (those without a FeedEntry)
    saved as articles with the feed's tags and options, at most FOLIO_FEED_MAX_NEW_ENTRIES of them in
    document order (the others are remembered as passed over, never saved later: a flood does not fill
    the library). A deleted feed is left alone; a paused one is polled only when the person asks (beat
    never queues it).

    Failures (fetch errors, a document that is not a feed) never raise: they are stored on the feed
    (``last_error``, ``failures``) and the next poll backs off (module docstring).
    """
    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None:
        return PollResult(error="deleted")
    try:
        page = _fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        parsed = None if page.not_modified else _read(page)
    except FetchError as exc:
        retry = exc.retry_after if isinstance(exc, FetchTemporaryError) else None
        _record_failure(feed, exc.reason, retry)
        return PollResult(error=exc.reason)
    except FeedParseError as exc:
        _record_failure(feed, exc.reason)
        return PollResult(error=exc.reason)
    with transaction.atomic():
        feed = Feed.objects.select_for_update().filter(pk=feed_id).first()
        if feed is None:
            return PollResult(error="deleted")
        result = PollResult(not_modified=parsed is None)
        if parsed is not None:
            _take_entries(feed, parsed, result)
            feed.etag = page.headers.get("etag", "")[:500]
            feed.last_modified = page.headers.get("last-modified", "")[:100]
            feed.kind = parsed.kind
            feed.site_url = feed.site_url or parsed.site_url[:2048]
            if not feed.title or feed.title == feed.url:
                feed.title = (parsed.title or feed.url)[:300]
        now = timezone.now()
        feed.last_polled_at = feed.last_success_at = now
        feed.failures = 0
        feed.last_error = ""
        feed.next_poll_at = now + dt.timedelta(minutes=feed.interval)
        feed.save()
    return result


def _take_entries(feed: Feed, parsed: ParsedFeed, result: PollResult) -> None:
    keys = [entry.key for entry in parsed.entries]
    seen = set(FeedEntry.objects.filter(feed=feed, key__in=keys).values_list("key", flat=True))
    fresh: list[ParsedEntry] = []
    for entry in parsed.entries:
        if entry.key not in seen:
            seen.add(entry.key)
            fresh.append(entry)
    if not fresh:
        return
    query = search_query_parse(feed.match_query) if feed.match_query else None
    records: list[FeedEntry] = []
    to_save: list[tuple[ParsedEntry, str]] = []
    cap = max(0, settings.FOLIO_FEED_MAX_NEW_ENTRIES)
    for entry in fresh:
        status = None
        try:
            key = normalize_url(entry.link)
        except ArticleError:
            status = FeedEntry.Status.INVALID
        if (
            status is None
            and query is not None
            and not query_matches_item(query, _match_item(feed, parsed, entry))
        ):
            status = FeedEntry.Status.FILTERED
        if status is None and len(to_save) >= cap:
            status = FeedEntry.Status.OVER_CAP
        if status is None:
            to_save.append((entry, key))
        else:
            records.append(FeedEntry(feed=feed, key=entry.key, link=entry.link[:2048], status=status))
    result.filtered = sum(r.status == FeedEntry.Status.FILTERED for r in records)
    result.over_cap = sum(r.status == FeedEntry.Status.OVER_CAP for r in records)
    result.invalid = sum(r.status == FeedEntry.Status.INVALID for r in records)
    if to_save:
        saved = article_save_many(
            user=feed.user,
            entries=[_import_item(feed, entry) for entry, _ in to_save],
            origin=Article.Origin.FEED,
            queue_fetch=True,
        )
        result.created = saved.created
        result.duplicates = saved.duplicates
        created = set(saved.created)
        ids = _article_ids(feed.user, [key for _, key in to_save])
        for entry, key in to_save:
            article_id = ids.get(key)
            status = FeedEntry.Status.SAVED if article_id in created else FeedEntry.Status.DUPLICATE
            records.append(
                FeedEntry(
                    feed=feed, key=entry.key, link=entry.link[:2048], article_id=article_id, status=status
                )
            )
    FeedEntry.objects.bulk_create(records, ignore_conflicts=True)


def _article_ids(user: AbstractBaseUser, keys: list[str]) -> dict[str, int]:
    """Normalized address → id of the user's article with that given, final or canonical address."""
    ids: dict[str, int] = {}
    rows = (
        Article.objects.filter(user=user)
        .filter(Q(url_key__in=keys) | Q(final_key__in=keys) | Q(canonical_key__in=keys))
        .order_by("id")
        .values_list("id", "url_key", "final_key", "canonical_key")
    )
    wanted = set(keys)
    for article_id, *row_keys in rows:
        for key in row_keys:
            if key in wanted:
                ids.setdefault(key, article_id)
    return ids


def _match_item(feed: Feed, parsed: ParsedFeed, entry: ParsedEntry) -> MatchItem:
    return MatchItem(
        title=entry.title,
        text=entry.summary,
        url=entry.link,
        author=entry.author,
        language=parsed.language,
        tags=tuple(feed.tags),
        published=entry.published.date() if entry.published else None,
        archived=feed.archive_on_arrival,
    )


def _import_item(feed: Feed, entry: ParsedEntry) -> ImportItem:
    extra: dict[str, object] = {}
    if entry.author:
        extra["author"] = entry.author
    if entry.published:
        extra["published"] = entry.published.isoformat()
    if entry.summary:
        extra["excerpt"] = entry.summary[:1000]
    return ImportItem(
        url=entry.link,
        title=entry.title,
        tags=list(feed.tags),
        is_archived=feed.archive_on_arrival,
        extra=extra,
    )


def opml_read_limit() -> int:
    """Bytes of an uploaded OPML file worth reading: one more than FOLIO_FEED_OPML_MAX_BYTES, so that
    opml_import can say the file is too large without reading all of it."""
    return settings.FOLIO_FEED_OPML_MAX_BYTES + 1


@dataclass
class OpmlImportResult:
    """``added`` feeds, ``existing`` (already followed), ``failures`` as ``(address, reason)``."""

    added: list[Feed] = field(default_factory=list)
    existing: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def opml_import(*, user: AbstractBaseUser, data: bytes) -> OpmlImportResult:
    """Subscribe ``user`` to every feed of OPML file ``data`` (folders and categories become the feed's
    tags). Feeds are not fetched here: each is due at once and beat polls it (a list of hundreds of feeds
    imports in one request). Raises OpmlError for a file that is too large, declares entities (billion
    laughs), or is not OPML; a bad entry is reported in ``failures`` and never stops the others."""
    if len(data) > settings.FOLIO_FEED_OPML_MAX_BYTES:
        raise OpmlError(
            _("The file is larger than %(size)s KB.") % {"size": settings.FOLIO_FEED_OPML_MAX_BYTES // 1024}
        )
    outlines = opml_parse(data, max_feeds=settings.FOLIO_FEED_OPML_MAX_FEEDS)
    result = OpmlImportResult()
    known = set(Feed.objects.filter(user=user).values_list("url", flat=True))
    now = timezone.now()
    for outline in outlines:
        try:
            url = validate_url(outline.url)
            tags = _clean_tags(outline.tags)
        except ArticleError as exc:
            result.failures.append((outline.url, exc.message))
            continue
        except FeedError as exc:
            result.failures.append((outline.url, exc.message))
            continue
        if url in known:
            result.existing += 1
            continue
        known.add(url)
        site = outline.site_url if outline.site_url.startswith(("http://", "https://")) else ""
        result.added.append(
            Feed(
                user=user,
                url=url,
                title=(outline.title or url)[:300],
                site_url=site[:2048],
                tags=tags,
                interval=clean_interval(None),
                next_poll_at=now,
            )
        )
    Feed.objects.bulk_create(result.added, ignore_conflicts=True)
    return result


def opml_export(*, user: AbstractBaseUser) -> bytes:
    """The user's subscriptions as an OPML 2.0 document (UTF-8), tags in each outline's ``category``."""
    feeds = Feed.objects.filter(user=user).order_by("title", "id")
    return opml_build(
        [OpmlFeed(url=f.url, title=f.title, site_url=f.site_url, tags=list(f.tags)) for f in feeds]
    )
