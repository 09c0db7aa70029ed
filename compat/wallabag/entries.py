"""Reads of the wallabag API, always scoped by the token's user: entries with the parts wallabag's entry
JSON shows (tags, annotations, HTTP status), the list's filters and sorts, and ``exists`` look-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from articles.errors import ArticleError, ArticleNotFound, HighlightNotFound
from articles.models import Article, ArticleSource, Highlight, Tag
from articles.services.saving import duplicates_of
from articles.urlnorm import normalize_url

from .render import url_hash

#: wallabag's ``sort`` values -> Folio's columns (wallabag: created, updated, archived; Folio keeps no
#: archive time, so "archived" sorts by the last change, which archiving is).
SORTS = {"created": "created_at", "updated": "updated_at", "archived": "updated_at"}


def user_entries(user: AbstractBaseUser) -> QuerySet[Article]:
    """The user's live articles with their owner, the fetched page's HTTP status
    (``http_status_code``), tags (``tag_rows``) and highlights (``highlight_rows``) loaded in three
    queries whatever the page size. The raw page itself is never loaded."""
    status = ArticleSource.objects.filter(article=OuterRef("pk")).values("http_status")[:1]
    return (
        Article.objects.filter(user=user, deleted_at__isnull=True)
        .select_related("user")
        .defer("content_text", "extraction_log")
        .annotate(http_status_code=Subquery(status))
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("id"), to_attr="tag_rows"),
            Prefetch(
                "highlights",
                queryset=Highlight.objects.order_by("created_at", "id"),
                to_attr="highlight_rows",
            ),
        )
    )


def entry_get(user: AbstractBaseUser, pk: int | str) -> Article:
    """One of the user's live articles as an entry. Raises ArticleNotFound for anyone else's."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise ArticleNotFound() from exc
    article = user_entries(user).filter(pk=pk).first()
    if article is None:
        raise ArticleNotFound()
    return article


def entries_list(
    user: AbstractBaseUser,
    *,
    archive: bool | None = None,
    starred: bool | None = None,
    public: bool | None = None,
    sort: str = "created",
    order: str = "desc",
    tags: Iterable[str] = (),
    since: int = 0,
    domain_name: str = "",
) -> QuerySet[Article]:
    """The entries GET /api/entries selects, in order. ``tags``: labels an entry must all have (matched
    ignoring case, as wallabag's label match on its lower-cased labels); ``since``: Unix time of the last
    change; ``public``: Folio has no public entries, so ``public=1`` selects none. Raises ArticleError for
    an unknown sort or order (wallabag answers 400)."""
    if sort not in SORTS or order not in ("asc", "desc"):
        raise ArticleError("sort is one of created, updated, archived; order is asc or desc.")
    articles = user_entries(user)
    if archive is not None:
        articles = articles.filter(is_archived=archive)
    if starred is not None:
        articles = articles.filter(is_favorite=starred)
    if public:
        articles = articles.none()
    for label in tags:
        label = " ".join(label.split())
        if label:
            ids = (
                Tag.objects.annotate(lower=Lower("name")).filter(user=user, lower=label.lower()).values("id")
            )
            articles = articles.filter(tags__in=ids)
    if since > 0:
        articles = articles.filter(updated_at__gte=dt.datetime.fromtimestamp(since, tz=dt.UTC))
    if domain_name:
        host = domain_name.strip().lower()
        articles = articles.filter(
            Q(url__iregex=rf"^https?://(www\.)?{_regex_escape(host)}([:/?#]|$)")
            | Q(final_url__iregex=rf"^https?://(www\.)?{_regex_escape(host)}([:/?#]|$)")
        )
    field = SORTS[sort]
    return articles.order_by(f"-{field}" if order == "desc" else field, "-id" if order == "desc" else "id")


def _regex_escape(text: str) -> str:
    """``text`` with the regular-expression characters PostgreSQL and SQLite's REGEXP share escaped."""
    return "".join("\\" + c if c in r".^$*+?()[]{}|\-" else c for c in text)


def entries_exist(
    user: AbstractBaseUser, *, urls: Iterable[str], hashed: Iterable[str]
) -> dict[str, int | None]:
    """For each address in ``urls`` and each SHA-1 in ``hashed``: the id of the user's article with it
    (the given, final or canonical address, normalized as saving does; a hash matches the given or final
    address exactly, as wallabag's hashed_url and hashed_given_url), or None."""
    found: dict[str, int | None] = {}
    for url in urls:
        try:
            key = normalize_url(url)
        except ArticleError:
            found[url] = None
            continue
        match = next((a for a in duplicates_of(user=user, key=key) if a.deleted_at is None), None)
        found[url] = match.pk if match else None
    wanted = [h.lower() for h in hashed]
    if wanted:
        # Folio keeps no SHA-1 column: the user's addresses are hashed here, one pass over two columns.
        # wallabag clients send hashes for a handful of addresses, so this stays a rare request.
        by_hash: dict[str, int] = {}
        rows = Article.objects.filter(user=user, deleted_at__isnull=True).values_list(
            "id", "url", "final_url"
        )
        for pk, url, final in rows.order_by("id").iterator():
            for address in (url, final):
                if address:
                    by_hash.setdefault(url_hash(address), pk)
        for digest in wanted:
            found[digest] = by_hash.get(digest)
    return found


def tag_by_label(user: AbstractBaseUser, label: str) -> Tag | None:
    """The user's tag named ``label`` (ignoring case), or None."""
    label = " ".join(str(label).split())
    return Tag.objects.annotate(lower=Lower("name")).filter(user=user, lower=label.lower()).first()


def annotation_get(user: AbstractBaseUser, pk: int) -> Highlight:
    """One of the user's highlights. Raises HighlightNotFound for anyone else's."""
    highlight = Highlight.objects.filter(pk=pk, article__user=user, article__deleted_at__isnull=True).first()
    if highlight is None:
        raise HighlightNotFound("No such annotation.")
    return highlight
