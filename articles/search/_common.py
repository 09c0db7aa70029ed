"""What both search engines share: the filter SQL of the query language, the newest-first listing of a
query without text, the configurations of a user's library, and the page of results."""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from .. import sanitizing
from ..models import SEARCH_CONFIGS, Article
from .query import Filter, SearchQuery

PER_PAGE = 20
#: Matches counted exactly; past it a search says "more than COUNT_LIMIT" (``SearchPage.count_capped``)
#: instead of counting on: counting 200,000 matches of a common word at 1,000,000 articles was most of the
#: search's database time (README, Benchmarks). Overridden by the setting FOLIO_SEARCH_COUNT_LIMIT.
COUNT_LIMIT = 10_000


def count_limit() -> int:
    """How many matches a search counts exactly (``settings.FOLIO_SEARCH_COUNT_LIMIT``, default
    ``COUNT_LIMIT``; at least PER_PAGE). Past it the count is capped and said to be."""
    return max(PER_PAGE, int(getattr(settings, "FOLIO_SEARCH_COUNT_LIMIT", COUNT_LIMIT) or COUNT_LIMIT))


class SearchCount(int):
    """A count of matches that may be capped: an int (the exact count, or the cap when ``capped``) that
    also says whether more articles match (``capped``: True means "more than this many")."""

    capped: bool

    def __new__(cls, value: int, capped: bool = False) -> SearchCount:
        obj = super().__new__(cls, value)
        obj.capped = capped
        return obj

    @classmethod
    def of(cls, found: int, limit: int | None) -> SearchCount:
        """The count to show for ``found`` matches counted up to ``limit + 1`` (None: counted exactly)."""
        if limit is not None and found > limit:
            return cls(limit, capped=True)
        return cls(found)


#: Marks around the matches of a headline, replaced by <mark> once the passage is escaped.
START_SEL, STOP_SEL = "\ue000", "\ue001"


@dataclass
class SearchPage:
    """One page of results: ``results`` are Articles with ``headline`` (safe HTML) and ``rank`` attached."""

    query: SearchQuery
    count: int = 0
    results: list[Article] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE
    ranked: bool = False
    #: True when more than ``count`` articles match: the count stopped at the cap (``count_limit()``).
    count_capped: bool = False
    #: Sentences telling the person how the query was read (a too-short prefix read as a word).
    notices: list[str] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.count

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        """1-based number of the first result on this page."""
        return (self.page - 1) * self.per_page + 1


def headline_html(text: str) -> str:
    """Escape a passage whose matches are marked with START_SEL/STOP_SEL, then wrap those in <mark>."""
    escaped = html.escape(text or "", quote=False)
    marked = escaped.replace(START_SEL, "<mark>").replace(STOP_SEL, "</mark>")
    return sanitizing.clean(marked)


def like(value: str) -> str:
    """A LIKE pattern (ESCAPE '\\') finding ``value``, lower-cased, anywhere."""
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_sql(flt: Filter) -> tuple[str, list]:
    """(SQL condition on the article ``a``, parameters) for one filter of the query language."""
    value = flt.value
    if flt.key == "tag":
        sql, params = tag_condition("a.id", flt)
    elif flt.key == "site":
        sql = (
            "(lower(a.site_name) LIKE %s ESCAPE '\\' OR lower(a.url) LIKE %s ESCAPE '\\' "
            "OR lower(a.final_url) LIKE %s ESCAPE '\\')"
        )
        params = [like(str(value))] * 3
    elif flt.key == "author":
        sql, params = "lower(a.author) LIKE %s ESCAPE '\\'", [like(str(value))]
    elif flt.key == "note":
        sql, params = "lower(a.note) LIKE %s ESCAPE '\\'", [like(str(value))]
    elif flt.key == "lang":
        sql, params = "(lower(a.language) = %s OR lower(a.language) LIKE %s)", [value, f"{value}-%"]
    elif flt.key == "is":
        sql, params = {
            "unread": ("a.read_at IS NULL", []),
            "read": ("a.read_at IS NOT NULL", []),
            "archived": ("a.is_archived = %s", [True]),
            "favorite": ("a.is_favorite = %s", [True]),
        }[str(value)]
    elif flt.key == "before":
        sql, params = "a.saved_at < %s", [day_start(flt.day)]
    else:  # after: on or after that day
        sql, params = "a.saved_at >= %s", [day_start(flt.day)]
    return (f"NOT ({sql})" if flt.negated else sql), params


def tag_condition(column: str, flt: Filter) -> tuple[str, list]:
    """``column`` is one of the tag's articles: the tag ids were looked up first (``with_tag_ids``), so
    the planner sees a constant list and semi-joins the tag's links through their tag_id index (at
    100,000 articles, "tag:politics" with a word went from 360 ms, an index probe per tagged article
    reading its vector, to a hash join of the two sets)."""
    ids = list(flt.ids or ())
    if not ids:
        return "1 = 0", []
    marks = ", ".join(["%s"] * len(ids))
    return (
        f"{column} IN (SELECT at.article_id FROM articles_article_tags at WHERE at.tag_id IN ({marks}))",
        ids,
    )


def with_tag_ids(cursor, user_id: int, query: SearchQuery) -> SearchQuery:
    """The query with each ``tag:`` filter's tag ids (the user's tags of that name, case-insensitive)."""
    names = sorted({str(f.value).lower() for f in query.filters if f.key == "tag" and f.ids is None})
    if not names:
        return query
    marks = ", ".join(["%s"] * len(names))
    cursor.execute(
        f"SELECT lower(name), id FROM articles_tag WHERE user_id = %s AND lower(name) IN ({marks})",
        [user_id, *names],
    )
    found: dict[str, list[int]] = {}
    for name, pk in cursor.fetchall():
        found.setdefault(name, []).append(pk)
    filters = [
        replace(f, ids=tuple(found.get(str(f.value).lower(), ()))) if f.key == "tag" else f
        for f in query.filters
    ]
    return replace(query, filters=filters)


def base_where(user: User, query: SearchQuery) -> tuple[list[str], list]:
    """The conditions every search puts on the article ``a``: the user's, not deleted, and the filters."""
    where = ["a.user_id = %s", "a.deleted_at IS NULL"]
    params: list = [user.pk]
    for flt in query.filters:
        sql, extra = filter_sql(flt)
        where.append(sql)
        params.extend(extra)
    return where, params


def user_configs(cursor, user_id: int) -> list[str]:
    """The text-search configurations used in the user's library, in order (a loose index scan on
    (user_id, search_config): one index seek per configuration, on both engines)."""
    cursor.execute(
        """
        WITH RECURSIVE c(config) AS (
            SELECT (SELECT min(search_config) FROM articles_article WHERE user_id = %s)
            UNION ALL
            SELECT (SELECT min(search_config) FROM articles_article WHERE user_id = %s AND search_config > c.config)
            FROM c WHERE c.config IS NOT NULL
        )
        SELECT config FROM c WHERE config IS NOT NULL
        """,
        [user_id, user_id],
    )
    configs = [row[0] for row in cursor.fetchall() if row[0] in SEARCH_CONFIGS]
    return configs or ["simple"]
