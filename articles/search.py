"""Full-text search over one user's articles: ``article_search()`` is the one entry point.

PostgreSQL: each article's ``search_vector`` (title A; author, site, tags B; body C) is parsed under its own
language's configuration (``search_config``), so a query is turned into a tsquery under every configuration
present in the user's library and ORed term by term ("running" → 'run' for English articles, 'running' for
the others). Matches come from the GIN index; ranking is ``ts_rank_cd`` with weights {D 0.1, C 0.2, B 0.4,
A 1.0}, newer first on ties; headlines are ``ts_headline`` computed only for the page shown.

Where the time goes, and what Folio does about it (articles.search_schema has the objects):

- Counting: matches come from the GIN index on ``articles_search_doc.search_vector``, a narrow table (one
  ~60-byte row per article, the vector out of line), so counting 20,000 matches visits ~1,800 heap pages,
  not the wide article rows. ``enable_seqscan`` is off for the search statements: a sequential scan would
  read every vector from TOAST.
- Ranking: ``ts_rank_cd`` on the full vector reads it from TOAST (tens of µs a row). Up to
  ``FULL_RANK_LIMIT`` matches are ranked exactly. Beyond that, the candidates are the articles whose
  compact ``search_rank_vector`` (the lexemes of title/author/site/tags plus body lexemes seen at least 3
  times, with all their positions, inline, own GIN index) matches, ranked on it, first in its heavy tier
  (``articles_heavy_vector``: title/author/site/tag lexemes and body lexemes seen at least 6 times, a GIN
  expression index) and, when that does not fill the page, in the whole compact vector; the best
  ``CANDIDATES`` beyond the page are re-ranked on the full vector. For one word, an article outside the
  heavy tier mentions it at most 5 times, in the body only (rank <= 5 x 0.2 = 1.0), below every article
  in it (>= 1.2); outside the compact vector at most twice (<= 0.4): the top is the full ranking's top.
  The benchmark measures the agreement on every query kind.
- Phrases: GIN keeps no positions, so a phrase of common words ("another people") used to match the
  words' AND in a third of the library and read each of those vectors from TOAST to check positions
  (978 ms p95 at 100,000 articles). The phrase-pair index (``articles_phrase_pairs``, a GIN expression
  index of every pair of adjacent lexemes) answers a two-word phrase by itself and narrows a longer one
  to the few articles holding all its pairs, whose positions are then checked.
- Headlines: ``ts_headline`` parses all the text it gets, so it gets a 520-character window around the
  first place the query matches (``regexp_instr``), for the shown page only.

SQLite: an FTS5 table (articles.search_schema) queried with ``MATCH``, ranked by ``bm25`` with column
weights 5 : 2 : 1 (the same A : B : C ratio), headlines from ``snippet()``.

Both engines read the same query language (articles.searchquery) and return the same SearchPage.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from . import sanitizing
from . import search_schema as schema
from .languages import LANGUAGE_CONFIGS, search_config_for  # noqa: F401 (re-exported)
from .models import SEARCH_CONFIGS, Article
from .searchquery import Filter, SearchQuery, Term, search_query_parse

logger = logging.getLogger(__name__)

RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"
PER_PAGE = 20
FULL_RANK_LIMIT = 400
#: Extra candidates re-ranked on the full vector beyond the page: for one word the compact vector's rank
#: is the full rank (all positions kept), so only queries of several words reorder; 60 kept the top 20
#: identical to the naive ranking for every query of bench/search_bench.py at 100,000 articles.
CANDIDATES = 60
START_SEL, STOP_SEL = "\ue000", "\ue001"
HEADLINE_OPTIONS = (
    f'MaxFragments=2, MaxWords=22, MinWords=8, ShortWord=2, FragmentDelimiter=" … ", '
    f"StartSel={START_SEL}, StopSel={STOP_SEL}"
)
#: Characters of body text given to ts_headline, starting this many before the estimated first match.
#: ts_headline costs about 0.2 ms per 800 characters; two fragments of 22 words fit in 500.
HEADLINE_WINDOW = 520
HEADLINE_BEFORE = 150


@dataclass
class SearchPage:
    """One page of results: ``results`` are Articles with ``headline`` (safe HTML) and ``rank`` attached."""

    query: SearchQuery
    count: int = 0
    results: list[Article] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE
    ranked: bool = False

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


# --- shared filter SQL ----------------------------------------------------------------------------------


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filter_sql(flt: Filter) -> tuple[str, list]:
    value = flt.value
    if flt.key == "tag":
        sql = (
            "EXISTS (SELECT 1 FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id "
            "WHERE at.article_id = a.id AND lower(t.name) = %s)"
        )
        params = [str(value).lower()]
    elif flt.key == "site":
        sql = (
            "(lower(a.site_name) LIKE %s ESCAPE '\\' OR lower(a.url) LIKE %s ESCAPE '\\' "
            "OR lower(a.final_url) LIKE %s ESCAPE '\\')"
        )
        params = [_like(value)] * 3
    elif flt.key == "author":
        sql, params = "lower(a.author) LIKE %s ESCAPE '\\'", [_like(value)]
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
        sql, params = "a.saved_at < %s", [_day_start(value)]
    else:  # after: on or after that day
        sql, params = "a.saved_at >= %s", [_day_start(value)]
    return (f"NOT ({sql})" if flt.negated else sql), params


#: Filters answered from the narrow articles_search_doc row (PostgreSQL) without reading the article.
_DOC_FILTERS = {
    "unread": "NOT s.is_read",
    "read": "s.is_read",
    "archived": "s.is_archived",
    "favorite": "s.is_favorite",
}


def _doc_filter_sql(flt: Filter, user_id: int) -> tuple[str, list] | None:
    if flt.key == "tag":  # the tag's articles, semi-joined by id: no article row is read
        sql = (
            "s.article_id IN (SELECT at.article_id FROM articles_article_tags at "
            "JOIN articles_tag t ON t.id = at.tag_id WHERE t.user_id = %s AND lower(t.name) = %s)"
        )
        params = [user_id, str(flt.value).lower()]
    elif flt.key == "site":  # the site name and URL hosts, copied into the search row by the trigger
        sql, params = "s.site LIKE %s ESCAPE '\\'", [_like(str(flt.value))]
    elif flt.key == "is":
        sql, params = _DOC_FILTERS[str(flt.value)], []
    elif flt.key == "before":
        sql, params = "s.saved_at < %s", [_day_start(flt.value)]
    elif flt.key == "after":
        sql, params = "s.saved_at >= %s", [_day_start(flt.value)]
    else:
        return None
    return (f"NOT ({sql})" if flt.negated else sql), params


def _base_where(user: AbstractBaseUser, query: SearchQuery) -> tuple[list[str], list]:
    where = ["a.user_id = %s", "a.deleted_at IS NULL"]
    params: list = [user.pk]
    for flt in query.filters:
        sql, extra = _filter_sql(flt)
        where.append(sql)
        params.extend(extra)
    return where, params


def _newest_first(
    cursor, where_sql: str, params: list, offset: int, limit: int, *, count_from: str = "articles_article a"
) -> tuple[int, list[tuple[int, float]], str, bool]:
    """A query without text (filters only): (count, [(id, 0.0)] newest first, '', False), both engines."""
    cursor.execute(f"SELECT count(*) FROM {count_from} WHERE {where_sql}", params)
    count = cursor.fetchone()[0]
    if not count or offset >= count or not limit:
        return count, [], "", False
    cursor.execute(
        f"SELECT a.id, 0.0 FROM articles_article a WHERE {where_sql} "
        "ORDER BY a.saved_at DESC, a.id DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return count, list(cursor.fetchall()), "", False


# --- PostgreSQL -----------------------------------------------------------------------------------------


def _pg_user_configs(cursor, user_id: int) -> list[str]:
    """The configurations used in the user's library (a loose index scan on (user_id, search_config))."""
    cursor.execute(
        """
        WITH RECURSIVE c AS (
            (SELECT search_config FROM articles_article WHERE user_id = %s ORDER BY search_config LIMIT 1)
            UNION ALL
            SELECT (SELECT search_config FROM articles_article
                    WHERE user_id = %s AND search_config > c.search_config ORDER BY search_config LIMIT 1)
            FROM c WHERE c.search_config IS NOT NULL
        )
        SELECT search_config FROM c WHERE search_config IS NOT NULL
        """,
        [user_id, user_id],
    )
    configs = [row[0] for row in cursor.fetchall() if row[0] in SEARCH_CONFIGS]
    return configs or ["simple"]


def _pg_term_exprs(term: Term, configs: list[str]) -> tuple[list[str], list]:
    """One SQL expression per configuration giving the term's tsquery under it, and their parameters."""
    words = term.words
    if term.field == "title" or term.kind == "prefix":
        label = "A" if term.field == "title" else ""
        joiner = " <-> " if term.kind == "phrase" else " & "
        quoted = [f"'{w}':{label}" if label else f"'{w}'" for w in words]
        if term.kind == "prefix":
            quoted[-1] = f"'{words[-1]}':*{label}"
        text = joiner.join(quoted)
        func = "to_tsquery"
        if term.kind == "prefix":
            # As typed, lower-cased ("analy" finds analysis, stored as 'analysi', where the English stemmer
            # would make the prefix 'anali'), and as each configuration stems it ("happy" → 'happi' finds
            # happy and happiness).
            configs = ["simple", *(c for c in configs if c != "simple")]
    else:
        text = term.text
        func = "phraseto_tsquery" if term.kind == "phrase" else "plainto_tsquery"
    return [f"{func}('{config}'::regconfig, %s)::text" for config in configs], [text] * len(configs)


_PHRASE_VARIANT = re.compile(r"^'(?:[^'\\]|'')+'(?: <(?:-|\d+)> '(?:[^'\\]|'')+')+$")
_PHRASE_TOKEN = re.compile(r"'((?:[^'\\]|'')+)'|<(-|\d+)>")


def _phrase_pairs(variant: str) -> tuple[list[str], bool] | None:
    """The lexeme pairs of a phrase tsquery such as ``'anoth' <-> 'measur'``, and whether they say it all.

    Returns (["anoth measur"], True) for a two-lexeme phrase with adjacent words (the pair is the phrase),
    (pairs, False) for a longer phrase (every pair must be there, the positions still need a check), None
    for anything else (one lexeme, weight labels, only ``<N>`` gaps, operators other than ``<->``/``<N>``).
    """
    if not _PHRASE_VARIANT.match(variant):
        return None
    tokens = _PHRASE_TOKEN.findall(variant)
    lexemes = [lex.replace("''", "'") for lex, _op in tokens if lex]
    ops = [op for lex, op in tokens if not lex]
    pairs = [f"{a} {b}" for a, b, op in zip(lexemes, lexemes[1:], ops, strict=False) if op == "-"]
    if not pairs:
        return None
    return pairs, len(lexemes) == 2 and ops == ["-"]


def _prefix_length(variant: str) -> int:
    """Length of the last lexeme of a prefix tsquery (``'happi':*`` → 5): a stemmer may cut a prefix
    short ("depen" → 'dep' in some languages), which would match far more words than were typed."""
    lexemes = _TSQUERY_LEXEME.findall(variant)
    return len(lexemes[-1].replace("''", "'")) if lexemes else 0


def _tsquery_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def _wrap(pieces: list[str]) -> str:
    return " & ".join(f"( {p} )" if len(pieces) > 1 else p for p in pieces)


@dataclass
class _PgQuery:
    """A query read for PostgreSQL (each part a tsquery text, '' when absent).

    ``full``: the whole query over ``search_vector`` (ranking, headlines, the naive benchmark).
    ``match``: what must be checked on ``search_vector`` to find the matches: ``full`` less the groups of
    two-word phrases that the phrase-pair index answers exactly. ``excluded``: the excluded terms, ORed,
    when ``match`` has no positive part to carry them. ``pairs``: the phrase-pair condition on
    ``articles_phrase_pairs(search_vector)`` (articles.search_schema), or ''.
    """

    full: str = ""
    match: str = ""
    excluded: str = ""
    pairs: str = ""


def _pg_query(cursor, query: SearchQuery, configs: list[str]) -> _PgQuery:
    """Read the query under the user's configurations, in one round trip (see ``_PgQuery``).

    Each term is read under every configuration of the user's library; identical readings are merged, so
    "tariffs" becomes 'tariff' | 'tariffs' rather than one alternative per language. The ``full`` text is
    '' when every positive term is a stop word.
    """
    terms = [t for group in query.groups for t in group] + list(query.excluded)
    if not terms:
        return _PgQuery()
    exprs, params, spans = [], [], []
    for term in terms:
        term_exprs, term_params = _pg_term_exprs(term, configs)
        spans.append((len(exprs), len(exprs) + len(term_exprs)))
        exprs.extend(term_exprs)
        params.extend(term_params)
    cursor.execute("SELECT " + ", ".join(exprs), params)
    row = cursor.fetchone()
    readings, pair_readings = [], []
    for term, (start, stop) in zip(terms, spans, strict=True):
        variants = list(dict.fromkeys(v for v in row[start:stop] if v))
        if term.kind == "prefix":  # the as-typed reading, and stems no shorter than the typed prefix
            variants = variants[:1] + [v for v in variants[1:] if _prefix_length(v) >= len(term.words[-1])]
        readings.append(
            ""
            if not variants
            else variants[0]
            if len(variants) == 1
            else "( " + " | ".join(f"( {v} )" for v in variants) + " )"
        )
        phrases = [_phrase_pairs(v) for v in variants]
        if variants and all(phrases):
            alternatives = [" & ".join(_tsquery_lexeme(p) for p in pairs) for pairs, _exact in phrases]
            pair_readings.append(
                (" | ".join(f"( {a} )" for a in alternatives), all(exact for _p, exact in phrases))
            )
        else:
            pair_readings.append(None)
    full, match, pairs = [], [], []
    k = 0
    for group in query.groups:
        members = [
            (r, p)
            for r, p in zip(readings[k : k + len(group)], pair_readings[k : k + len(group)], strict=True)
            if r
        ]
        k += len(group)
        if not members:
            continue
        ors = [r for r, _p in members]
        reading = ors[0] if len(ors) == 1 else "( " + " | ".join(ors) + " )"
        full.append(reading)
        if all(p is not None for _r, p in members):
            pair_ors = [p[0] for _r, p in members]
            pairs.append(
                pair_ors[0] if len(pair_ors) == 1 else "( " + " | ".join(f"( {p} )" for p in pair_ors) + " )"
            )
            if all(p[1] for _r, p in members):
                continue  # the pairs are the phrase: nothing to check on the full vector
        match.append(reading)
    if not full and query.groups:
        return _PgQuery()  # every positive term is a stop word
    excluded = [r for r in readings[k:] if r]
    full.extend(f"!( {r} )" for r in excluded)
    if match or not pairs:
        match.extend(f"!( {r} )" for r in excluded)
        return _PgQuery(_wrap(full), _wrap(match), "", _wrap(pairs))
    return _PgQuery(_wrap(full), "", " | ".join(f"( {r} )" for r in excluded), _wrap(pairs))


def _pg_tsquery(cursor, query: SearchQuery, configs: list[str]) -> str:
    """The whole query as one tsquery text ('' when every term is a stop word): ``_pg_query().full``."""
    return _pg_query(cursor, query, configs).full


def _pg_doc_where(user, query: SearchQuery, pg_query: _PgQuery) -> tuple[str, str, list]:
    """(FROM, WHERE, params) over articles_search_doc ``s``, joining the article ``a`` only when a filter
    needs one of its columns."""
    where, params = ["s.user_id = %s", "NOT s.deleted"], [user.pk]
    if pg_query.match:
        where.append("s.search_vector @@ %s::tsquery")
        params.append(pg_query.match)
    if pg_query.pairs:
        where.append("articles_phrase_pairs(s.search_vector) @@ %s::tsquery")
        params.append(pg_query.pairs)
    if pg_query.excluded:
        where.append("NOT (s.search_vector @@ %s::tsquery)")
        params.append(pg_query.excluded)
    join = False
    for flt in query.filters:
        doc = _doc_filter_sql(flt, user.pk)
        if doc is None:
            doc, join = _filter_sql(flt), True
        where.append(doc[0])
        params.extend(doc[1])
    source = "articles_search_doc s" + (" JOIN articles_article a ON a.id = s.article_id" if join else "")
    return source, " AND ".join(where), params


def _pg_search(
    user, query: SearchQuery, offset: int, limit: int
) -> tuple[int, list[tuple[int, float]], str, bool]:
    """(count, [(id, rank)], tsquery text, ranked) on PostgreSQL."""
    with connection.cursor() as cursor:
        if not query.groups:  # filters and exclusions only: newest first
            where, params = _base_where(user, query)
            if query.excluded:
                # Negation alone cannot use GIN (every vector would be read: 2 s at 100,000 articles), so
                # the excluded terms are matched as a positive query and left out by id.
                excluded = SearchQuery(groups=[list(query.excluded)])
                pg_excluded = _pg_query(cursor, excluded, _pg_user_configs(cursor, user.pk))
                if pg_excluded.full:
                    source, where_sql, excluded_params = _pg_doc_where(user, excluded, pg_excluded)
                    where.append(f"a.id NOT IN (SELECT s.article_id FROM {source} WHERE {where_sql})")
                    params.extend(excluded_params)
            return _newest_first(cursor, " AND ".join(where), params, offset, limit)
        pg_query = _pg_query(cursor, query, _pg_user_configs(cursor, user.pk))
        tsquery = pg_query.full
        if not tsquery:  # only stop words: nothing can match
            return 0, [], "", False
        # The match set always comes from the GIN indexes, never from a scan that reads every vector.
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            source, where_sql, params = _pg_doc_where(user, query, pg_query)
            # One pass over the matches gives the count and, for a small set, the ids to rank.
            cursor.execute(
                f"SELECT s.article_id, count(*) OVER () FROM {source} WHERE {where_sql} LIMIT %s",
                [*params, FULL_RANK_LIMIT + 1],
            )
            rows = cursor.fetchall()
            matched = [row[0] for row in rows]
            count = rows[0][1] if rows else 0
            if not count or offset >= count or not limit:
                return count, [], tsquery, True
            rank_full = f"ts_rank_cd('{RANK_WEIGHTS}', s.search_vector, %s::tsquery)"
            # The ids to rank on the full vector: every match of a small set; for a big one the best
            # candidates by the compact vector, or every match when too few of them have one.
            to_rank: list[int] | None = matched if count <= FULL_RANK_LIMIT else None
            # The heavy tier first: for one word, an article outside it mentions the word at most 5 times,
            # in the body only (rank <= 1.0), below every article in it (>= 6 mentions, or a title, author,
            # site or tag match): when it fills the page, the page is the full ranking's.
            where, a_params = _base_where(user, query)
            for vector in ("articles_heavy_vector(a.search_rank_vector)", "a.search_rank_vector"):
                if to_rank is not None:
                    break
                cursor.execute(
                    f"SELECT a.id FROM articles_article a WHERE {' AND '.join(where)} "
                    f"AND {vector} @@ %s::tsquery "
                    f"ORDER BY ts_rank_cd('{RANK_WEIGHTS}', a.search_rank_vector, %s::tsquery) DESC, "
                    "a.saved_at DESC, a.id DESC LIMIT %s",
                    [*a_params, tsquery, tsquery, offset + limit + CANDIDATES],
                )
                candidates = [row[0] for row in cursor.fetchall()]
                if len(candidates) >= offset + limit:
                    to_rank = candidates
            if to_rank is not None:
                cursor.execute(
                    f"SELECT s.article_id, {rank_full} AS rank FROM articles_search_doc s "
                    "WHERE s.article_id = ANY(%s) "
                    "ORDER BY rank DESC, s.saved_at DESC, s.article_id DESC LIMIT %s OFFSET %s",
                    [tsquery, to_rank, limit, offset],
                )
            else:
                cursor.execute(
                    f"SELECT s.article_id, {rank_full} AS rank FROM {source} WHERE {where_sql} "
                    "ORDER BY rank DESC, s.saved_at DESC, s.article_id DESC LIMIT %s OFFSET %s",
                    [tsquery, *params, limit, offset],
                )
            return count, list(cursor.fetchall()), tsquery, True
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


_TSQUERY_LEXEME = re.compile(r"'((?:[^']|'')*)'(?::\*?[A-D]*)?")
_TSQUERY_OPERATOR = re.compile(r"\s*<(-|\d+)>\s*")
_TSQUERY_CHAIN = re.compile(
    r"'(?:[^']|'')*'(?::\*?[A-D]*)?(?:\s*<(?:-|\d+)>\s*'(?:[^']|'')*'(?::\*?[A-D]*)?)+"
)


def _lexeme_regex(lexeme: str) -> str:
    return re.sub(r"(\W)", r"\\\1", lexeme.replace("''", "'"))


def headline_pattern(tsquery: str) -> str:
    """A PostgreSQL regular expression (ARE, used case-insensitively) for the first place in the text that
    the tsquery matches: a word starting with one of its lexemes, or for a phrase (``'a' <-> 'b'``) the
    phrase's words in a row (a ``<N>`` gap allows N-1 words between). Stems are mostly prefixes of the
    words they come from ("measur" of "measure"), so the pattern finds the passage ts_headline will mark.
    Returns '' for a tsquery without lexemes."""
    pieces = []
    for chain in _TSQUERY_CHAIN.findall(tsquery):
        lexemes = [_lexeme_regex(lex) for lex in _TSQUERY_LEXEME.findall(chain)]
        gaps = _TSQUERY_OPERATOR.findall(chain)
        piece = lexemes[0] + r"\w*"
        for gap, lexeme in zip(gaps, lexemes[1:], strict=False):
            words = 0 if gap == "-" else int(gap) - 1
            piece += r"\W+" + (f"(?:\\w+\\W+){{0,{words}}}" if words else "") + lexeme + r"\w*"
        pieces.append(piece)
    rest = _TSQUERY_CHAIN.sub(" ", tsquery)
    pieces.extend(dict.fromkeys(_lexeme_regex(lex) for lex in _TSQUERY_LEXEME.findall(rest) if lex))
    return "\\m(" + "|".join(dict.fromkeys(pieces)) + ")" if pieces else ""


def _pg_headlines(ids: list[int], tsquery: str) -> dict[int, str]:
    """Headlines for these articles: {id: passage with START_SEL/STOP_SEL marks}. ts_headline parses all
    the text it gets (5 ms for 5,000 words), so it gets HEADLINE_WINDOW characters from HEADLINE_BEFORE
    before the first place the query matches (``headline_pattern``, found with ``regexp_instr``);
    articles whose window shows no match although the pattern found one get the whole text."""
    if not ids or not tsquery:
        return {}
    pattern = headline_pattern(tsquery)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, ts_headline(a.search_config::regconfig,
                       substr(a.content_text, greatest(1, w.at - {HEADLINE_BEFORE}), {HEADLINE_WINDOW}),
                       %s::tsquery, %s),
                   w.at > 0
            FROM articles_article a,
                 LATERAL (SELECT CASE WHEN %s = '' THEN 0
                                      ELSE regexp_instr(a.content_text, %s, 1, 1, 0, 'i') END AS at) w
            WHERE a.id = ANY(%s)
            """,
            [tsquery, HEADLINE_OPTIONS, pattern, pattern, ids],
        )
        headlines, retry = {}, []
        for article_id, text, found in cursor.fetchall():
            headlines[article_id] = text
            if found and START_SEL not in (text or ""):
                retry.append(article_id)
        if retry:  # the window missed (a lexeme inside another word): parse the whole text for those few
            cursor.execute(
                "SELECT a.id, ts_headline(a.search_config::regconfig, a.content_text, %s::tsquery, %s) "
                "FROM articles_article a WHERE a.id = ANY(%s)",
                [tsquery, HEADLINE_OPTIONS, retry],
            )
            headlines.update(cursor.fetchall())
    return headlines


# --- SQLite ---------------------------------------------------------------------------------------------
#
# The FTS5 table (articles.search_schema) holds every user's articles that are not deleted; its ``owner``
# column has the token ``u<user id>``. A search ANDs ``owner : "u<id>"`` to the query's own expression
# (unless the user is the only one), so the match set, its count and its bm25 ranking are the
# user's live articles without reading the article table. Figures at 100,000 articles (one core, page cache
# warm, other work running): for a word in 24,000 articles the count through the article table took 72 ms,
# in FTS5 1 ms (3 ms with the owner phrase); ranking every match by bm25 in FTS5 takes 25 ms (40 ms for a
# word in 52,000 articles, about 0.8 µs a match; the owner phrase adds 5-10 ms, see _fts_search_match),
# where ranking through the article table (for the saved_at of every match) took 240 ms. Filters that need
# article columns (tag, site, author, lang, is, before, after) join the matches to the covering index
# article_search_filter.

#: Weights of title, meta, body, owner in bm25 (owner never weighs; title : meta : body as A : B : C).
SQLITE_BM25 = "bm25(articles_search, 5.0, 2.0, 1.0, 0.0)"
_SQLITE_TEXT_COLUMNS = "{title meta body}"
#: Rows ranked beyond the page, so that rank ties at its end are ordered newest first among them too.
SQLITE_TIE_SLACK = 20
#: At most this many index terms stand for one prefix the stemmer would change (see _fts_prefix).
SQLITE_PREFIX_TERMS = 64


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_prefix(term: Term, cursor) -> str:
    """A prefix term as FTS5 MATCH syntax that finds the words starting with what was typed.

    FTS5 runs a prefix through the table's Porter stemmer before matching it against the (stemmed) index:
    ``analy*`` becomes ``anali*``, which finds nothing, while "analysis", "analyze", "analytics" are
    indexed as analysi, analyz, analyt. PostgreSQL matches the prefix as typed against the stemmed
    lexemes. So when the stemmer changes the prefix's last word, the index terms starting with it as typed
    (diacritics folded) are read from ``articles_search_vocab`` (0.1-1 ms) and ORed with the stemmed
    prefix: ``("analy" * OR "analysi" OR "analyst" OR "analyt" OR "analyz")``. Terms already covered by
    the stemmed prefix are left out, and so are the rare ones the stemmer would change again (they cannot
    be named exactly). At most SQLITE_PREFIX_TERMS terms are added (the first in index order). A prefix
    the stemmer leaves alone (``allow*``) is FTS5's own prefix query.
    """
    native = _fts_string(" ".join(term.words)) + " *"
    tokens = schema.sqlite_tokens([" ".join(term.words)])[0]
    if len(tokens) != len(term.words) or not tokens:
        return native
    folded, stemmed = tokens[-1]
    if folded == stemmed:
        return native
    cursor.execute(
        "SELECT term FROM articles_search_vocab WHERE term >= %s AND term < %s LIMIT %s",
        [folded, folded + "\U0010ffff", 4 * SQLITE_PREFIX_TERMS],
    )
    candidates = [row[0] for row in cursor.fetchall() if not row[0].startswith(stemmed)]
    if not candidates:
        return native
    stems = schema.sqlite_tokens(candidates)
    terms = [t for t, toks in zip(candidates, stems, strict=True) if toks == [(t, t)]][:SQLITE_PREFIX_TERMS]
    head = " ".join(term.words[:-1])
    return "(" + " OR ".join([native, *(_fts_string(f"{head} {t}".strip()) for t in terms)]) + ")"


def _fts_term(term: Term, cursor=None) -> str:
    if term.kind == "prefix":
        if cursor is None:
            with connection.cursor() as own:
                expr = _fts_prefix(term, own)
        else:
            expr = _fts_prefix(term, cursor)
    else:
        expr = _fts_string(" ".join(term.words))
    return f"title : {expr}" if term.field == "title" else expr


def _fts_match(query: SearchQuery, cursor=None) -> tuple[str, str]:
    """(positive MATCH expression, excluded MATCH expression); either may be ''."""
    groups = []
    for group in query.groups:
        terms = [_fts_term(t, cursor) for t in group]
        groups.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    positive = " AND ".join(groups)
    negative = " OR ".join(_fts_term(t, cursor) for t in query.excluded)
    return positive, negative


_OWNER_TOKEN = re.compile(r"u[0-9]*")


def _fts_owner_like(query: SearchQuery) -> bool:
    """True when a word of the query is, as FTS5 reads it, an owner token or a prefix of one ("u7", "U7",
    "ụ7", "u*"); its terms must then be kept to the text columns. SQLite's tokenizer says (0.1 ms)."""
    words = [w for term in [*query.positive_terms(), *query.excluded] for w in term.words]
    return bool(words) and any(
        _OWNER_TOKEN.fullmatch(fold) for toks in schema.sqlite_tokens(words) for fold, _s in toks
    )


def _sqlite_sole_owner(cursor, user) -> bool:
    """True when no other user has articles (two index seeks), so the index holds only this user's."""
    cursor.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM articles_article WHERE user_id < %s) "
        "AND NOT EXISTS (SELECT 1 FROM articles_article WHERE user_id > %s)",
        [user.pk, user.pk],
    )
    return bool(cursor.fetchone()[0])


def _fts_search_match(cursor, user, query: SearchQuery, positive: str, negative: str) -> str:
    """The MATCH expression of a search: ``positive`` AND ``owner : "u<id>"`` NOT ``negative``.

    The owner phrase is left out when the user is the only one with articles: bm25 reads its document
    frequency (a pass over every article of the user, 5 ms at 100,000) and FTS5 intersects with it (up to
    5 ms more), for nothing then. The terms are kept to the text columns when a word could match the owner
    column (``_fts_owner_like``): that restriction costs a few ms on a common word, so it is only used then.
    """

    def text(expr: str) -> str:
        return f"{_SQLITE_TEXT_COLUMNS} : ({expr})" if owner_like else f"({expr})"

    owner_like = _fts_owner_like(query)
    match = text(positive)
    if not _sqlite_sole_owner(cursor, user):
        match = f'{match} AND owner : "u{int(user.pk)}"'
    if negative:
        match = f"({match}) NOT {text(negative)}"
    return match


def _sqlite_ranked(cursor, match: str, offset: int, limit: int) -> list[tuple[int, float]]:
    """The page of the user's matches by bm25, newer first on ties: FTS5 ranks every match and keeps the
    best ``offset + limit + SQLITE_TIE_SLACK``; only those are looked up for saved_at (in the covering index
    article_search_filter: 6 ms for 40 ids through the wide rows, under 1 ms through the index).
    When the ties at the end of the page reach past that window, all the rows of that rank are fetched."""
    window = offset + limit + SQLITE_TIE_SLACK
    inner = (
        f"SELECT rowid AS id, -{SQLITE_BM25} AS rank FROM articles_search WHERE articles_search MATCH %s "
        "ORDER BY rank DESC LIMIT %s"
    )
    cursor.execute(f"SELECT id, rank FROM ({inner})", [match, window])
    best = cursor.fetchall()
    ids = [row[0] for row in best]
    if len(best) == window and best[-1][1] == best[offset + limit - 1][1]:
        cursor.execute(
            f"SELECT id FROM (SELECT rowid AS id, -{SQLITE_BM25} AS rank FROM articles_search "
            "WHERE articles_search MATCH %s) WHERE rank = %s",
            [match, best[-1][1]],
        )
        ids = list(dict.fromkeys(ids + [row[0] for row in cursor.fetchall()]))
    rank_of = dict(best)
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"SELECT a.id, a.saved_at FROM articles_article a INDEXED BY article_search_filter WHERE a.id IN ({marks})",
        ids,
    )
    saved = dict(cursor.fetchall())
    if len(rank_of) < len(ids):  # the tied rows fetched beyond the window share the last rank
        rank_of.update({i: best[-1][1] for i in ids if i not in rank_of})
    order = sorted(saved, key=lambda i: (rank_of[i], saved[i], i), reverse=True)
    return [(i, rank_of[i]) for i in order[offset : offset + limit]]


def _sqlite_search(
    user, query: SearchQuery, offset: int, limit: int
) -> tuple[int, list[tuple[int, float]], str, bool]:
    """(count, [(id, rank)], positive MATCH expression for the headlines, ranked) on SQLite.

    With words and no filter on article columns, the count and the ranking come from FTS5 alone
    (``_fts_search_match``, ``_sqlite_ranked``). With such a filter, the matches are joined to the
    ``article_search_filter`` index (FTS5 first) and filtered there, ranked and counted in one statement
    (a window count): "is:unread" with a word in 31,000 of 100,000 articles, 85 ms where the count and the
    ranking through the article table took 160 + 240 ms. Filters only, or exclusions only: the article
    table, newest first.
    """
    with connection.cursor() as cursor:
        positive, negative = _fts_match(query, cursor)
        if positive:
            match = _fts_search_match(cursor, user, query, positive, negative)
            if not query.filters:
                cursor.execute("SELECT count(*) FROM articles_search WHERE articles_search MATCH %s", [match])
                count = cursor.fetchone()[0]
                if count == 0 or offset >= count or not limit:
                    return count, [], positive, True
                return count, _sqlite_ranked(cursor, match, offset, limit), positive, True
            where, params = _base_where(user, query)
            # FTS5 first, then the filter columns from the covering index (not the wide article row).
            source = (
                "articles_search s CROSS JOIN articles_article a INDEXED BY article_search_filter "
                "ON a.id = s.rowid"
            )
            where_sql = " AND ".join(["articles_search MATCH %s", *where])
            if limit:  # the page and the count in one pass over the matches
                cursor.execute(
                    "SELECT id, rank, count(*) OVER () FROM ("
                    f"SELECT a.id AS id, -{SQLITE_BM25} AS rank, a.saved_at AS saved_at FROM {source} "
                    f"WHERE {where_sql}) ORDER BY rank DESC, saved_at DESC, id DESC LIMIT %s OFFSET %s",
                    [match, *params, limit, offset],
                )
                rows = cursor.fetchall()
                if rows:
                    return rows[0][2], [(row[0], row[1]) for row in rows], positive, True
            cursor.execute(f"SELECT count(*) FROM {source} WHERE {where_sql}", [match, *params])
            return cursor.fetchone()[0], [], positive, True
        where, params = _base_where(user, query)
        if negative:
            if _fts_owner_like(query):  # "-u7" excludes the articles with the word, not the owner's
                negative = f"{_SQLITE_TEXT_COLUMNS} : ({negative})"
            where.append("a.id NOT IN (SELECT rowid FROM articles_search WHERE articles_search MATCH %s)")
            params.append(negative)
        where_sql = " AND ".join(where)
        # Counted on the covering index (10 ms for "is:unread" at 100,000 articles; 240 ms on the rows);
        # the page walks article_user_live_saved newest first and stops after ``limit`` rows.
        return _newest_first(
            cursor,
            where_sql,
            params,
            offset,
            limit,
            count_from="articles_article a INDEXED BY article_search_filter",
        )


def _sqlite_headlines(ids: list[int], match: str) -> dict[int, str]:
    """snippet() of the body for these articles. FTS5 runs the expression once and the ids filter its
    rows (``+rowid``): looked up one id at a time, a prefix or phrase expression was evaluated again for
    each (86 ms for 20 rows of ``agree*`` at 100,000 articles, against a few ms for the one pass)."""
    if not ids or not match:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet(articles_search, 2, %s, %s, ' … ', 24) FROM articles_search "
            f"WHERE articles_search MATCH %s AND +rowid IN ({marks})",
            [START_SEL, STOP_SEL, match, *ids],
        )
        return dict(cursor.fetchall())


# --- entry point ----------------------------------------------------------------------------------------


def _read_block():
    """PostgreSQL: a savepoint, so that a rejected query leaves the request's transaction usable (and the
    SET LOCAL of the search ends with it). SQLite needs none, and an atomic block there would take the
    write lock (transaction_mode IMMEDIATE) for a read."""
    return transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()


def _run(user, query: SearchQuery, offset: int, limit: int):
    if connection.vendor == "postgresql":
        count, rows, match, ranked = _pg_search(user, query, offset, limit)
        headlines = _pg_headlines([r[0] for r in rows], match) if query.groups else {}
    else:
        count, rows, match, ranked = _sqlite_search(user, query, offset, limit)
        headlines = _sqlite_headlines([r[0] for r in rows], match) if query.groups else {}
    return count, rows, headlines, ranked


def article_search(
    *,
    user: AbstractBaseUser,
    query: str | SearchQuery,
    page: int = 1,
    per_page: int = PER_PAGE,
    fields: tuple[str, ...] | None = None,
    list_all: bool = False,
) -> SearchPage:
    """Search the user's articles. ``query`` is the search language (articles.searchquery) or a parsed query.

    Returns a SearchPage: the total ``count`` and up to ``per_page`` Articles of page ``page`` (1-based),
    best first, each with ``.rank`` (float; 0 for filter-only queries, which list newest first) and
    ``.headline`` (safe HTML: the matching passage, matches in <mark>; the excerpt when nothing matched
    in the body). ``fields`` limits the columns loaded (default: everything). An empty query gives an
    empty page, or with ``list_all`` every article, newest first. Never raises for a malformed query: one
    the database rejects is re-read as plain words.
    """
    parsed = query if isinstance(query, SearchQuery) else search_query_parse(query)
    page = max(1, int(page or 1))
    result = SearchPage(query=parsed, page=page, per_page=per_page)
    if parsed.is_empty and not list_all:
        return result
    offset = (page - 1) * per_page
    try:
        with _read_block():
            count, rows, headlines, ranked = _run(user, parsed, offset, per_page)
    except DatabaseError:
        logger.warning("search query failed, read as plain words: %r", parsed.raw, exc_info=True)
        plain = search_query_parse(" ".join(w for t in parsed.positive_terms() for w in t.words))
        result.query = plain
        if plain.is_empty and not list_all:
            return result
        with _read_block():
            count, rows, headlines, ranked = _run(user, plain, offset, per_page)
    result.count, result.ranked = count, ranked
    ids = [row[0] for row in rows]
    articles = Article.objects.filter(pk__in=ids).prefetch_related("tags")
    if fields:
        articles = articles.only(*fields)
    by_id = {a.pk: a for a in articles}
    for article_id, rank in rows:
        article = by_id.get(article_id)
        if article is None:
            continue
        article.rank = float(rank or 0.0)
        text = headlines.get(article_id)
        article.headline = headline_html(text) if text else html.escape(article.excerpt or "")
        result.results.append(article)
    return result


def saved_search_counts(*, user: AbstractBaseUser) -> list[tuple[object, int]]:
    """The user's saved searches with the number of articles each finds now: [(SavedSearch, count)]."""
    from .models import SavedSearch

    out = []
    for saved in SavedSearch.objects.filter(user=user).order_by("name"):
        out.append((saved, article_search_count(user=user, query=saved.query)))
    return out


def article_search_count(*, user: AbstractBaseUser, query: str) -> int:
    """How many of the user's articles ``query`` finds (no ranking, no headlines)."""
    parsed = search_query_parse(query)
    if parsed.is_empty:
        return 0
    try:
        with _read_block():
            if connection.vendor == "postgresql":
                count, *_ = _pg_search(user, parsed, 10**9, 0)
            else:
                count, *_ = _sqlite_search(user, parsed, 10**9, 0)
    except DatabaseError:
        logger.warning("saved search failed to count: %r", query, exc_info=True)
        return 0
    return count


def search_terms_for_reader(query: str) -> list[str]:
    """The words and phrases the reader highlights for ``query`` (positive terms only, as typed)."""
    return search_query_parse(query).highlight_words()
