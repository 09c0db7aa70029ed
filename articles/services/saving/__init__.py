"""Saving articles, the one write path of every face: by URL (the worker fetches it), with the page HTML a
client sent (Folio extracts from it instead of fetching), or many at once (imports, feeds).

A save writes the row as ``queued`` in a transaction and enqueues its processing when the transaction
commits (``enqueue``); a broker outage never loses the save, because the sweeper
(``processing.article_requeue_stale``) queues rows the broker never got: at its next run, as the row is
marked (``processing.article_enqueue_or_mark``).

Duplicates: an address already saved (matched on the normalized given, final or canonical URL) returns the
existing article, moved to the top of Unread, with the new tags added. The match is one query that walks
three indexes (the (user, url_key) unique constraint and the partial (user, final_key) and (user,
canonical_key) indexes), so its cost does not grow with the library (issue 20).

Metadata: a caller may state any of ``Article.METADATA_FIELDS`` (``title``, ``author``, ``published``,
``language``, ``lead_image``, ``site_name``); stated values are stored at once, listed in
``Article.stated_fields`` and win over what extraction finds (wallabag's ``authors``, ``published_at``,
``language``, ``preview_picture``; an e-mail's sender as ``site_name``). The ``title`` argument, by
contrast, is provisional (the browser's ``document.title``): shown until extraction finds a title.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Func, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from ...compiled import CompiledQuery
from ...errors import InvalidURLError, PageTooLargeError, SaveRateExceeded
from ...languages import search_config_for
from ...limits import TITLE_MAX_LENGTH, URL_MAX_LENGTH
from ...models import Article, ArticleSource, Tag
from ...urlnorm import normalize_url, validate_url
from ..dbretry import retry_on_connection_loss
from ..events import ARTICLE_SAVED, emit
from ..processing import article_enqueue_or_mark
from ..tags import article_tags_set
from .many import SaveManyResult, article_save_many, fetch_enqueue_on_commit
from .metadata import clean_metadata, collapse

__all__ = [
    "SaveManyResult",
    "article_save_many",
    "article_save_page",
    "article_save_url",
    "clean_metadata",
    "duplicates_of",
    "fetch_enqueue_on_commit",
]

T = TypeVar("T")

#: Columns a save never needs from an existing article (bodies and logs); read later if a caller asks.
SAVE_DEFERRED = ("content_html", "content_text", "extraction_log")


def duplicates_of(*, user: User, key: str) -> QuerySet[Article]:
    """The user's articles that are a duplicate of normalized address ``key``: live articles whose given,
    final or canonical address has that key, and a deleted one with that given address (saving it again
    restores it; the (user, url_key) unique constraint counts deleted rows too). Oldest first.

    One query through three indexes (checked with EXPLAIN in tests/services/test_save_indexes.py).
    """
    return _duplicates(user.pk, key)


class _Filled(Func):
    """``NOT (column = '')`` with the empty text in the SQL itself, not a parameter: the condition of the
    partial (user, final_key) and (user, canonical_key) indexes, which a planner can only match to a
    literal."""

    template = "NOT (%(expressions)s = '')"
    output_field = BooleanField()


def _duplicates(user_id: int, key: str) -> QuerySet[Article]:
    live = Q(deleted_at__isnull=True)
    # The partial indexes' own condition (a key is never empty) stated with each arm: PostgreSQL may then
    # plan the statement once for any key (a prepared statement's generic plan, the BitmapOr of the three
    # indexes) instead of planning it again on every save to prove that the key it was given is not empty.
    final = Q(final_key=key) & Q(_Filled("final_key")) & live
    canonical = Q(canonical_key=key) & Q(_Filled("canonical_key")) & live
    return (
        Article.objects.filter(user_id=user_id)
        .filter(Q(url_key=key) | final | canonical)
        .defer(*SAVE_DEFERRED)
        .order_by("id")
    )


#: The duplicate check of a save, compiled once per process (issue 20: building and compiling it was
#: a sixth of an API save's CPU).
_DUPLICATES_CHECK = CompiledQuery(lambda user_id, key: _duplicates(user_id, key)[:20], int, str)


def _find_existing(user: User, key: str) -> Article | None:
    rows = _DUPLICATES_CHECK.fetch(user.pk, key)
    live = [a for a in rows if a.deleted_at is None]
    if live:
        return live[0]
    return next((a for a in rows if a.url_key == key), None)


class _SavedConcurrently(Exception):
    """The insert of a new article hit the (user, url_key) unique constraint in a transaction of its own:
    another save of the same address committed first. _atomic_save runs the save again."""

    def __init__(self, error: IntegrityError):
        super().__init__(str(error))
        self.error = error


def _atomic_save(func: Callable[..., T]) -> Callable[..., T]:
    """The transaction of a save. Inside a caller's transaction, a savepoint around the whole save. As the
    outermost one (a request's save), ``_save`` opens the transaction itself, after its reads, or needs
    none (a lone INSERT commits by itself); when its insert lost a race with another save of the same
    address (``_SavedConcurrently``: the rolled-back transaction took any of its on-commit work with it),
    the save is run once more and finds the other save's article. A second lost race raises the
    IntegrityError."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except _SavedConcurrently:
            pass
        try:
            return func(*args, **kwargs)
        except _SavedConcurrently as again:  # raced twice: answered as any other IntegrityError
            raise again.error from None

    return wrapper


def _tags_known(article: Article, tags: list[Tag]) -> None:
    """Record ``tags`` as all the tags of ``article``, just created (so they are all it has), as a
    ``prefetch_related("tags")`` would: a caller reading them (the API's answer) needs no query (issue 20)."""
    found = article.tags.all()
    found._result_cache = sorted({tag.pk: tag for tag in tags}.values(), key=lambda tag: tag.name)
    found._prefetch_done = True  # type: ignore[attr-defined]  # Django's prefetch_one_level does the same
    article._prefetched_objects_cache = {"tags": found}  # type: ignore[attr-defined]


def _metadata_fields(metadata: dict[str, object]) -> dict[str, object]:
    """Model fields for stated ``metadata`` (the search configuration follows a stated language)."""
    fields = dict(metadata)
    if "language" in metadata:
        fields["search_config"] = search_config_for(str(metadata["language"]))
    return fields


def _state_fields(
    *, is_archived: bool | None, is_favorite: bool | None, is_read: bool | None, now: dt.datetime
) -> dict[str, object]:
    fields: dict[str, object] = {}
    if is_archived is not None:
        fields["is_archived"] = bool(is_archived)
    if is_favorite is not None:
        fields["is_favorite"] = bool(is_favorite)
    if is_read is not None:
        fields["read_at"] = now if is_read else None
    return fields


def _save_rate_check(user: User, now) -> None:
    """Refuse a single save past ``FOLIO_SAVE_RATE_PER_MINUTE`` (0: no limit) of the person's saves in the
    last 60 seconds, on every face at once (issue 21.4: 150 form saves in 20 s went through). Counted in the
    database, so every web process and worker sees the same count: one range scan of the
    (user, saved_at) index, at most the limit's rows. Imports and feeds (the bulk door, capped by their own
    limits) do not count. Raises SaveRateExceeded with the seconds until the oldest counted save leaves the window."""
    limit = settings.FOLIO_SAVE_RATE_PER_MINUTE
    if limit <= 0:
        return
    window = now - dt.timedelta(seconds=60)
    recent = list(
        Article.objects.filter(user=user, saved_at__gt=window)
        .exclude(origin__in=[Article.Origin.IMPORT, Article.Origin.FEED])
        .order_by("-saved_at")
        .values_list("saved_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        oldest = recent[-1]
        raise SaveRateExceeded(max(1, min(60, math.ceil((oldest - window).total_seconds()))))


def _address_and_key(url: str, origin: str) -> tuple[str, str]:
    """The address to store and its duplicate key. An http(s) address (validate_url, normalize_url), or,
    for ``origin="email"`` only, an RFC 2392 ``mid:`` address: a newsletter without a "view in browser"
    link is saved under its Message-ID (newsletters.parsing), its key the address itself. Raises
    InvalidURLError."""
    if origin == Article.Origin.EMAIL and (url or "").startswith("mid:"):
        if len(url) <= len("mid:") or len(url) > URL_MAX_LENGTH or any(c.isspace() for c in url):
            raise InvalidURLError("That is not a valid message address.")
        return url, url
    url = validate_url(url)
    return url, normalize_url(url)


def _save(
    *,
    user: User,
    url: str,
    tags: Iterable[str],
    origin: str,
    source: str,
    title: str,
    metadata: Mapping[str, object] | None,
    is_archived: bool | None,
    is_favorite: bool | None,
    is_read: bool | None,
    finish: Callable[[Article, bool, bool], T],
    lone_insert: bool,
) -> T:
    """Create or find the article and apply the save, then ``finish(article, created, was_failed)`` (the
    caller's own writes and on-commit work, in the same transaction); returns what ``finish`` returns.

    The reads (the save-rate check, the duplicate check) come first. Then, as the outermost transaction
    (see _atomic_save): a new article that is one INSERT and nothing else (``lone_insert``, no tags) is
    inserted without a transaction around it (it commits by itself: BEGIN and COMMIT are two round trips
    fewer, issue 20), and ``finish`` runs after it, where on-commit work runs at once; any other save
    writes in one transaction. Inside a caller's transaction nothing is committed here."""
    if origin not in Article.Origin.values:
        raise ValueError(f"Unknown origin {origin!r}")
    url, key = _address_and_key(url, origin)
    stated = clean_metadata(metadata)
    provisional = collapse(title or "", TITLE_MAX_LENGTH)
    names = list(tags)
    now = timezone.now()
    _save_rate_check(user, now)
    states = _state_fields(is_archived=is_archived, is_favorite=is_favorite, is_read=is_read, now=now)
    outermost = not connection.in_atomic_block
    article = _find_existing(user, key)

    def create() -> Article:
        return Article.objects.create(
            user=user,
            url=url,
            url_key=key,
            source=source,
            origin=origin,
            status=Article.Status.QUEUED,
            stated_fields=sorted(stated),
            saved_at=now,
            **{"title": provisional, **_metadata_fields(stated), **states},
        )

    def created(article: Article, tags_set: list) -> T:
        _tags_known(article, tags_set)
        emit(ARTICLE_SAVED, user_id=article.user_id, article_id=article.pk)
        return finish(article, True, False)

    def found_after_race(error: IntegrityError) -> Article:
        """The other save's article: the same address saved at the same moment, whose insert won."""
        existing = _find_existing(user, key)
        if existing is None:
            raise error
        return existing

    if article is None and outermost and lone_insert and not names:
        try:
            article = create()
        except IntegrityError as error:
            article = found_after_race(error)
        else:
            return created(article, [])
    with transaction.atomic() if outermost else contextlib.nullcontext():
        if article is None:
            # The outermost transaction's insert needs no savepoint of its own (two statements fewer,
            # issue 20): a duplicate key means that the same address was saved at the same moment, and the
            # whole save is run again (_atomic_save), its duplicate check then finding the other save's
            # article. Inside a caller's transaction, a savepoint keeps that transaction usable.
            try:
                with transaction.atomic(savepoint=not outermost):
                    article = create()
            except IntegrityError as error:
                if outermost:
                    raise _SavedConcurrently(error) from error
                article = found_after_race(error)
            else:
                return created(article, article_tags_set(article=article, names=names))
        was_failed = article.status == Article.Status.FAILED
        # Saved again: back to the top of Unread (and out of the trash), then the states the caller asked for.
        updates: dict[str, object] = {
            "saved_at": now,
            "read_at": None,
            "is_archived": False,
            "deleted_at": None,
            **_metadata_fields(stated),
            **states,
        }
        if stated:
            updates["stated_fields"] = sorted(set(article.stated_fields) | set(stated))
        if provisional and not article.title and "title" not in stated:
            updates["title"] = provisional
        Article.objects.filter(pk=article.pk).update(**updates, updated_at=now)
        for name, value in updates.items():
            setattr(article, name, value)
        article_tags_set(article=article, names=names)
        return finish(article, False, was_failed)


@retry_on_connection_loss
@_atomic_save
def article_save_url(
    *,
    user: User,
    url: str,
    tags: Iterable[str] = (),
    origin: str,
    title: str = "",
    metadata: Mapping[str, object] | None = None,
    is_archived: bool | None = None,
    is_favorite: bool | None = None,
    is_read: bool | None = None,
) -> tuple[Article, bool]:
    """Save ``url`` for ``user``; the worker fetches it. Returns ``(article, created)``.

    - ``tags``: names added to the article (created on the fly; see tags.clean_tag_names).
    - ``origin``: the face (``Article.Origin``: form, bookmarklet, api, app, share, import, feed, email,
      sync); recorded on a new article.
    - ``title``: provisional title shown until extraction finds one; ``metadata``: stated values that win
      over extraction (see clean_metadata).
    - ``is_archived``, ``is_favorite``, ``is_read``: states to set (None: a new article is unread, not
      archived, not a favorite; a saved-again article goes back to Unread).

    A URL already saved returns the existing article (created False), moved to the top, restored if it was
    deleted, with the new tags added; if that article had failed, it is queued for another try. The
    processing task is sent when the transaction commits. Raises InvalidURLError (an ArticleError), and
    ArticleError for bad metadata or a tag name over 100 characters.
    """

    def finish(article: Article, created: bool, was_failed: bool) -> tuple[Article, bool]:
        retry = was_failed and article.source == Article.Source.FETCH
        if retry:
            fields = {"status": Article.Status.QUEUED, "failure_reason": "", "attempts": 0}
            Article.objects.filter(pk=article.pk).update(**fields)
            for name, value in fields.items():
                setattr(article, name, value)
        if created or retry:
            article_id = article.pk
            transaction.on_commit(lambda: article_enqueue_or_mark(article_id))
        return article, created

    return _save(
        user=user,
        url=url,
        tags=tags,
        origin=origin,
        source=Article.Source.FETCH,
        title=title,
        metadata=metadata,
        is_archived=is_archived,
        is_favorite=is_favorite,
        is_read=is_read,
        finish=finish,
        lone_insert=True,
    )


@retry_on_connection_loss
@_atomic_save
def article_save_page(
    *,
    user: User,
    url: str,
    html: str,
    title: str = "",
    tags: Iterable[str] = (),
    origin: str,
    metadata: Mapping[str, object] | None = None,
    is_archived: bool | None = None,
    is_favorite: bool | None = None,
    is_read: bool | None = None,
) -> tuple[Article, bool]:
    """Save the page a client sent (the bookmarklet's DOM, the API's ``html``, wallabag's ``content``, an
    e-mail newsletter): ``html`` is stored and extracted without fetching ``url``. Returns
    ``(article, created)``; the other arguments are article_save_url's.

    An existing article with the same address gets the new HTML and is processed again. Raises
    InvalidURLError, PageTooLargeError when ``html`` is over FOLIO_PAGE_MAX_BYTES (UTF-8 bytes), and
    ArticleError as article_save_url.
    """
    limit = settings.FOLIO_PAGE_MAX_BYTES
    if len(html.encode("utf-8", errors="replace")) > limit:
        raise PageTooLargeError(
            gettext("The page is larger than the %(megabytes)d MB Folio accepts from the browser.")
            % {"megabytes": limit // (1024 * 1024)}
        )

    def finish(article: Article, created: bool, _was_failed: bool) -> tuple[Article, bool]:
        ArticleSource.objects.update_or_create(
            article=article,
            defaults={
                "html": html,
                "content_type": "text/html",
                "http_status": None,
                "fetched_at": timezone.now(),
            },
        )
        fields = {"source": Article.Source.BROWSER, "status": Article.Status.QUEUED, "failure_reason": ""}
        Article.objects.filter(pk=article.pk).update(**fields)
        for name, value in fields.items():
            setattr(article, name, value)
        article_id = article.pk
        transaction.on_commit(lambda: article_enqueue_or_mark(article_id))
        return article, created

    return _save(
        user=user,
        url=url,
        tags=tags,
        origin=origin,
        source=Article.Source.BROWSER,
        title=title,
        metadata=metadata,
        is_archived=is_archived,
        is_favorite=is_favorite,
        is_read=is_read,
        finish=finish,
        lone_insert=False,
    )
