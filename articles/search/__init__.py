"""Full-text search over one user's articles: the public face of the search package.

Faces call ``article_search`` (a ranked page with headlines), ``article_search_count`` (saved searches),
``article_search_queryset`` (every article a query finds, for the export), ``saved_search_counts`` and
``search_terms_for_reader``; ``search_query_parse`` reads the query language (articles.search.query);
``query_matches_item`` evaluates it on one item's text in Python (articles.search.matching: feeds).
Behind them, one private module per engine: ``_postgres`` (tsvector, GIN, ``ts_rank_cd``,
``ts_headline``) and ``_sqlite`` (FTS5 over stems written in Python by ``_text``); ``_common`` holds the
filter SQL both use, ``schema`` the database objects. Both engines read the same query language the same
way (the article's own language's stems, PostgreSQL's stop words) and return the same SearchPage.
"""

from __future__ import annotations

import contextlib
import html
import logging

from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from ..languages import LANGUAGE_CONFIGS, search_config_for
from ..models import Article
from . import _postgres, _sqlite
from ._common import COUNT_LIMIT, PER_PAGE, SearchCount, SearchPage, count_limit, headline_html
from .matching import MatchItem, query_matches_item
from .query import MIN_PREFIX, SearchQuery, search_query_parse

__all__ = [
    "COUNT_LIMIT",
    "LANGUAGE_CONFIGS",
    "PER_PAGE",
    "MatchItem",
    "SearchCount",
    "SearchPage",
    "SearchQuery",
    "article_search",
    "article_search_count",
    "article_search_queryset",
    "count_limit",
    "headline_html",
    "query_matches_item",
    "saved_search_counts",
    "search_config_for",
    "search_query_parse",
    "search_terms_for_reader",
]

logger = logging.getLogger(__name__)


def _engine():
    return _postgres if connection.vendor == "postgresql" else _sqlite


def _read_block():
    """PostgreSQL: a savepoint, so that a rejected query leaves the request's transaction usable (and the
    SET LOCAL of the search ends with it). SQLite needs none, and an atomic block there would take the
    write lock (transaction_mode IMMEDIATE) for a read."""
    return transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()


def _run(user, query: SearchQuery, offset: int, limit: int):
    engine = _engine()
    cap = count_limit()
    found, rows, reading, ranked = engine.search(user, query, offset, limit, count_limit=cap)
    headlines = engine.headlines([r[0] for r in rows], reading) if query.groups else {}
    return SearchCount.of(found, cap), rows, headlines, ranked


def _plain(query: SearchQuery) -> SearchQuery:
    """The query's positive words as plain words: what a query the database rejects is read as."""
    return search_query_parse(" ".join(w for t in query.positive_terms() for w in t.words))


def _notices(query: SearchQuery) -> list[str]:
    return [
        _(
            "“%(prefix)s*” is too short for a prefix (at least %(count)d letters before the *): "
            "it was searched as the word “%(prefix)s”."
        )
        % {"prefix": prefix, "count": MIN_PREFIX}
        for prefix in query.narrowed
    ]


def article_search(
    *,
    user: User,
    query: str | SearchQuery,
    page: int = 1,
    per_page: int = PER_PAGE,
    fields: tuple[str, ...] | None = None,
    list_all: bool = False,
) -> SearchPage:
    """Search the user's articles. ``query`` is the search language (articles.search.query) or a parsed query.

    Returns a SearchPage: the total ``count`` and up to ``per_page`` Articles of page ``page`` (1-based),
    best first, each with ``.rank`` (float; 0 for filter-only queries, which list newest first) and
    ``.headline`` (safe HTML: the matching passage, matches in <mark>; the excerpt when nothing matched
    in the body). The count is exact up to ``count_limit()`` (10,000 by default, the setting
    FOLIO_SEARCH_COUNT_LIMIT); past it ``count`` is that limit and ``count_capped`` is True ("more than"),
    and the pages stop there. ``notices`` says how the query was narrowed (a one-letter prefix is read as the word).
    ``fields`` limits the columns loaded (default: everything). An empty query gives an empty page, or
    with ``list_all`` every article, newest first. Never raises for a malformed query: one the database
    rejects is re-read as plain words.
    """
    parsed = query if isinstance(query, SearchQuery) else search_query_parse(query)
    page = max(1, int(page or 1))
    result = SearchPage(query=parsed, page=page, per_page=per_page, notices=_notices(parsed))
    if parsed.is_empty and not list_all:
        return result
    offset = (page - 1) * per_page
    try:
        with _read_block():
            count, rows, headlines, ranked = _run(user, parsed, offset, per_page)
    except DatabaseError:
        logger.warning("search query failed, read as plain words: %r", parsed.raw, exc_info=True)
        plain = _plain(parsed)
        result.query = plain
        if plain.is_empty and not list_all:
            return result
        with _read_block():
            count, rows, headlines, ranked = _run(user, plain, offset, per_page)
    result.count, result.count_capped, result.ranked = int(count), count.capped, ranked
    ids = [row[0] for row in rows]
    articles = Article.objects.filter(pk__in=ids).prefetch_related("tags")
    if fields:
        articles = articles.only(*fields)
    by_id = {a.pk: a for a in articles}
    for article_id, rank in rows:
        article = by_id.get(article_id)
        if article is None:
            continue
        article.rank = float(rank or 0.0)  # type: ignore[attr-defined]  # search results carry their rank and headline as attributes the result templates read
        text = headlines.get(article_id)
        article.headline = (  # type: ignore[attr-defined]  # (as rank above)
            headline_html(text) if text else html.escape(article.excerpt or "")
        )
        result.results.append(article)
    return result


def article_search_count(*, user: User, query: str, exact: bool = False) -> SearchCount:
    """How many of the user's articles ``query`` finds (no ranking, no headlines), as a SearchCount (an
    int): exact up to ``count_limit()``, past it that limit with ``.capped`` True, as ``article_search``
    counts; ``exact=True`` counts every match (the benchmark's choice of queries). 0 for an empty query or
    one the database rejects."""
    parsed = search_query_parse(query)
    if parsed.is_empty:
        return SearchCount(0)
    cap = None if exact else count_limit()
    try:
        with _read_block():
            found, *_rest = _engine().search(user, parsed, 10**9, 0, count_limit=cap)
    except DatabaseError:
        logger.warning("saved search failed to count: %r", query, exc_info=True)
        return SearchCount(0)
    return SearchCount.of(found, cap)


def article_search_queryset(*, user: User, query: str) -> QuerySet[Article]:
    """Every live article of the user that ``query`` finds (the search language: words, phrases, prefixes,
    exclusions, filters), as an unordered QuerySet for the caller to order and narrow; an empty query
    finds every live article, one made of stop words only finds none. A query the database rejects is
    read as plain words, as ``article_search`` does. The match is a subquery: no id list is sent."""
    parsed = search_query_parse(query)
    articles = Article.objects.filter(user=user, deleted_at__isnull=True)
    for attempt in (parsed, _plain(parsed)):
        if attempt.is_empty:
            return articles if parsed.is_empty else articles.none()
        try:
            with _read_block():
                found = _engine().ids_sql(user, attempt)
                if found is None:
                    return articles.none()
                sql, params = found
                with connection.cursor() as cursor:  # the database reads the query now, not later
                    cursor.execute(f"SELECT 1 FROM ({sql}) AS found LIMIT 1", params)
        except DatabaseError:
            logger.warning("export search failed, read as plain words: %r", query, exc_info=True)
            continue
        return articles.filter(id__in=RawSQL(sql, params))
    return articles.none()


def saved_search_counts(*, user: User) -> list[tuple[object, SearchCount]]:
    """The user's saved searches with the number of articles each finds now: [(SavedSearch, SearchCount)]
    (capped as ``article_search_count`` caps it: ``count.capped`` means "more than")."""
    from ..models import SavedSearch

    return [
        (saved, article_search_count(user=user, query=saved.query))
        for saved in SavedSearch.objects.filter(user=user).order_by("name")
    ]


def search_terms_for_reader(query: str) -> list[str]:
    """The words and phrases the reader highlights for ``query`` (positive terms only, as typed)."""
    return search_query_parse(query).highlight_words()
