"""SQLite search: an FTS5 table (articles.search.schema) whose columns hold each article's words as stems of
its own language (articles.search._text, written by the triggers through ``folio_search_text``), queried
with ``MATCH``, ranked by ``bm25`` with column weights 5 : 2 : 1 (the A : B : C ratio of PostgreSQL's).

A query is read as PostgreSQL reads it: each term is stemmed under every configuration of the user's
library (a Spanish "corriendo" → "corr", which a Spanish article's "correr" is indexed as), stop words
are dropped from the ends of a term and keep their place inside a phrase, a prefix matches as typed and as
each configuration stems it (stems no shorter than typed). The variants of a term are ORed.

The FTS5 table holds every user's articles that are not deleted; its ``owner`` column has the token
``u<user id>``. A search ANDs ``owner : "u<id>"`` to the query's own expression (unless the user is the
only one), so the match set, its count and its bm25 ranking are the user's live articles without reading
the article table. Figures at 100,000 articles (one core, page cache warm, other work running): for a word
in 24,000 articles the count through the article table took 72 ms, in FTS5 1 ms (3 ms with the owner
phrase); ranking every match by bm25 in FTS5 takes 25 ms (about 0.8 µs a match; the owner phrase adds
5-10 ms, see ``_search_match``), where ranking through the article table (for the saved_at of every match)
took 240 ms. Filters that need article columns (tag, site, author, lang, is, before, after) join the
matches to the covering index ``article_search_filter``.

Headlines are cut in Python from the shown articles' text (the FTS5 table holds stems, not the words):
the words are stemmed in order until the first match, and the passage of 24 words around it is returned
with the matching words marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection

from . import _text
from ._common import START_SEL, STOP_SEL, base_where, user_configs, with_tag_ids
from .query import SearchQuery, Term

#: Weights of title, meta, body, owner in bm25 (owner never weighs; title : meta : body as A : B : C).
BM25 = "bm25(articles_search, 5.0, 2.0, 1.0, 0.0)"
TEXT_COLUMNS = "{title meta body}"
#: Rows ranked beyond the page, so that rank ties at its end are ordered newest first among them too.
TIE_SLACK = 20
#: Words of a headline (FTS5's snippet() of 24 tokens before), and how many of them before the first match.
HEADLINE_WORDS = 24
HEADLINE_BEFORE = 6
#: Words read per step while looking for the first match of a headline, and at most in all.
HEADLINE_CHUNK = 256
HEADLINE_MAX_WORDS = 20_000


def _fts_string(tokens: list[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


@dataclass
class _Reading:
    """A query read under the user's configurations.

    ``positive`` and ``negative``: FTS5 MATCH expressions ('' when absent); ``void``: every positive term
    is stop words only, so nothing can match; ``patterns``: per positive term, its variants as token
    tuples, the last token of a prefix variant ending in ``*`` (for the headlines); ``owner_like``: a
    token could match the owner column ("u7", "u*").
    """

    positive: str = ""
    negative: str = ""
    void: bool = False
    patterns: list[tuple[str, ...]] = field(default_factory=list)
    owner_like: bool = False


_OWNER_TOKEN = re.compile(r"u[0-9]*\*?")


def _variants(term: Term, configs: list[str]) -> list[tuple[str, ...]]:
    """The term's token tuples: its stems under each configuration (stop words at the ends dropped, those
    inside kept as STOP), and for a prefix also the words as typed; a prefix's last token ends in ``*``."""
    words = _text.words(term.text)
    if not words:
        return []
    out: list[tuple[str, ...]] = []
    if term.kind == "prefix":
        typed = [_text.fold(w) for w in words]
        out.append((*typed[:-1], typed[-1] + "*"))
    for config in configs:
        stems = _text.stems(config, words)
        if term.kind == "prefix":
            if stems[-1] == _text.STOP or len(stems[-1]) < len(words[-1]):
                continue  # a stop word, or a stem shorter than typed would match far more words
            stems = [*stems[:-1], stems[-1] + "*"]
        while stems and stems[0] == _text.STOP:
            stems = stems[1:]
        while stems and stems[-1] == _text.STOP:
            stems = stems[:-1]
        if stems:
            out.append(tuple(stems))
    return list(dict.fromkeys(out))


def _term_expr(term: Term, variants: list[tuple[str, ...]]) -> str:
    exprs = []
    for tokens in variants:
        if tokens[-1].endswith("*"):
            exprs.append(_fts_string([*tokens[:-1], tokens[-1][:-1]]) + " *")
        else:
            exprs.append(_fts_string(list(tokens)))
    expr = exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")"
    return f"title : {expr}" if term.field == "title" else expr


def read(query: SearchQuery, configs: list[str]) -> _Reading:
    """Read the query under the configurations (see ``_Reading``)."""
    reading = _Reading()
    groups = []
    for group in query.groups:
        members = []
        for term in group:
            variants = _variants(term, configs)
            if variants:
                members.append(_term_expr(term, variants))
                reading.patterns.extend(variants)
                reading.owner_like |= any(_OWNER_TOKEN.fullmatch(t) for v in variants for t in v)
        if members:
            groups.append(members[0] if len(members) == 1 else "(" + " OR ".join(members) + ")")
    reading.void = bool(query.groups) and not groups
    reading.positive = " AND ".join(groups)
    negatives = []
    for term in query.excluded:
        variants = _variants(term, configs)
        if variants:
            negatives.append(_term_expr(term, variants))
            reading.owner_like |= any(_OWNER_TOKEN.fullmatch(t) for v in variants for t in v)
    reading.negative = " OR ".join(negatives)
    return reading


def _limit(cap: int | None) -> int:
    """A LIMIT value: ``cap``, or -1 (no limit in SQLite) for None."""
    return -1 if cap is None else cap


def newest_first(
    cursor,
    where_sql: str,
    params: list,
    offset: int,
    limit: int,
    *,
    count_from: str = "articles_article a",
    cap: int | None = None,
) -> tuple[int, list[tuple[int, float]], str, bool]:
    """A query without text (filters and exclusions): (count, [(id, 0.0)] newest first, '', False); the
    rows are counted up to ``cap`` (None: all)."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {count_from} WHERE {where_sql} LIMIT %s)",
        [*params, _limit(cap)],
    )
    count = cursor.fetchone()[0]
    if not count or offset >= count or not limit:
        return count, [], "", False
    cursor.execute(
        f"SELECT a.id, 0.0 FROM articles_article a WHERE {where_sql} "
        "ORDER BY a.saved_at DESC, a.id DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return count, list(cursor.fetchall()), "", False


def _sole_owner(cursor, user) -> bool:
    """True when no other user has articles (two index seeks), so the index holds only this user's."""
    cursor.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM articles_article WHERE user_id < %s) "
        "AND NOT EXISTS (SELECT 1 FROM articles_article WHERE user_id > %s)",
        [user.pk, user.pk],
    )
    return bool(cursor.fetchone()[0])


def _search_match(cursor, user, reading: _Reading) -> str:
    """The MATCH expression of a search: ``positive`` AND ``owner : "u<id>"`` NOT ``negative``.

    The owner phrase is left out when the user is the only one with articles: bm25 reads its document
    frequency (a pass over every article of the user, 5 ms at 100,000) and FTS5 intersects with it (up to
    5 ms more), for nothing then. The terms are kept to the text columns when a token could match the
    owner column (``u7``, ``u*``): that restriction costs a few ms on a common word, so it is only used then.
    """

    def text(expr: str) -> str:
        return f"{TEXT_COLUMNS} : ({expr})" if reading.owner_like else f"({expr})"

    match = text(reading.positive)
    if not _sole_owner(cursor, user):
        match = f'{match} AND owner : "u{int(user.pk)}"'
    if reading.negative:
        match = f"({match}) NOT {text(reading.negative)}"
    return match


def _ranked(cursor, match: str, offset: int, limit: int) -> list[tuple[int, float]]:
    """The page of the user's matches by bm25, newer first on ties: FTS5 ranks every match and keeps the
    best ``offset + limit + TIE_SLACK``; only those are looked up for saved_at (in the covering index
    article_search_filter: 6 ms for 40 ids through the wide rows, under 1 ms through the index).
    When the ties at the end of the page reach past that window, all the rows of that rank are fetched."""
    window = offset + limit + TIE_SLACK
    inner = (
        f"SELECT rowid AS id, -{BM25} AS rank FROM articles_search WHERE articles_search MATCH %s "
        "ORDER BY rank DESC LIMIT %s"
    )
    cursor.execute(f"SELECT id, rank FROM ({inner})", [match, window])
    best = cursor.fetchall()
    ids = [row[0] for row in best]
    if len(best) == window and best[-1][1] == best[offset + limit - 1][1]:
        cursor.execute(
            f"SELECT id FROM (SELECT rowid AS id, -{BM25} AS rank FROM articles_search "
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


def search(
    user, query: SearchQuery, offset: int, limit: int, count_limit: int | None = None
) -> tuple[int, list[tuple[int, float]], object, bool]:
    """(count, [(id, rank)], the reading for the headlines, ranked) on SQLite. With ``count_limit``, the
    matches are counted up to ``count_limit + 1`` where a count of its own is needed (a count above
    ``count_limit`` means "more"), as on PostgreSQL; where the ranking reads every match anyway (a filter
    with words), the count comes exact from the same pass.

    With words and no filter on article columns, the count and the ranking come from FTS5 alone
    (``_search_match``, ``_ranked``). With such a filter, the matches are joined to the
    ``article_search_filter`` index (FTS5 first) and filtered there, ranked and counted in one statement
    (a window count): "is:unread" with a word in 31,000 of 100,000 articles, 85 ms where the count and the
    ranking through the article table took 160 + 240 ms. Filters only, or exclusions only: the article
    table, newest first.
    """
    cap = None if count_limit is None else count_limit + 1
    with connection.cursor() as cursor:
        query = with_tag_ids(cursor, user.pk, query)
        reading = read(query, user_configs(cursor, user.pk))
        if reading.void:  # only stop words: nothing can match, as on PostgreSQL
            return 0, [], reading, False
        if reading.positive:
            match = _search_match(cursor, user, reading)
            if not query.filters:
                cursor.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM articles_search WHERE articles_search MATCH %s LIMIT %s)",
                    [match, _limit(cap)],
                )
                count = cursor.fetchone()[0]
                if count == 0 or offset >= count or not limit:
                    return count, [], reading, True
                return count, _ranked(cursor, match, offset, limit), reading, True
            where, params = base_where(user, query)
            # FTS5 first, then the filter columns from the covering index (not the wide article row).
            source = (
                "articles_search s CROSS JOIN articles_article a INDEXED BY article_search_filter "
                "ON a.id = s.rowid"
            )
            where_sql = " AND ".join(["articles_search MATCH %s", *where])
            if limit:  # the page and the count in one pass over the matches
                cursor.execute(
                    "SELECT id, rank, count(*) OVER () FROM ("
                    f"SELECT a.id AS id, -{BM25} AS rank, a.saved_at AS saved_at FROM {source} "
                    f"WHERE {where_sql}) ORDER BY rank DESC, saved_at DESC, id DESC LIMIT %s OFFSET %s",
                    [match, *params, limit, offset],
                )
                rows = cursor.fetchall()
                if rows:
                    return rows[0][2], [(row[0], row[1]) for row in rows], reading, True
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {where_sql} LIMIT %s)",
                [match, *params, _limit(cap)],
            )
            return cursor.fetchone()[0], [], reading, True
        where, params = base_where(user, query)
        if reading.negative:
            negative = reading.negative
            if reading.owner_like:  # "-u7" excludes the articles with the word, not the owner's
                negative = f"{TEXT_COLUMNS} : ({negative})"
            where.append("a.id NOT IN (SELECT rowid FROM articles_search WHERE articles_search MATCH %s)")
            params.append(negative)
        where_sql = " AND ".join(where)
        # Counted on the covering index (10 ms for "is:unread" at 100,000 articles; 240 ms on the rows);
        # the page walks article_user_live_saved newest first and stops after ``limit`` rows.
        count, rows, _none, ranked = newest_first(
            cursor,
            where_sql,
            params,
            offset,
            limit,
            count_from="articles_article a INDEXED BY article_search_filter",
            cap=cap,
        )
        return count, rows, reading, ranked


def ids_sql(user, query: SearchQuery) -> tuple[str, list] | None:
    """(SELECT of the ids of every article the query finds, parameters), unranked; None when nothing
    can match (only stop words). For the export's selection (articles.search.article_search_queryset)."""
    with connection.cursor() as cursor:
        query = with_tag_ids(cursor, user.pk, query)
        reading = read(query, user_configs(cursor, user.pk))
        if reading.void:
            return None
        where, params = base_where(user, query)
        if reading.positive:
            match = _search_match(cursor, user, reading)
            return (
                "SELECT a.id FROM articles_search s CROSS JOIN articles_article a ON a.id = s.rowid "
                f"WHERE articles_search MATCH %s AND {' AND '.join(where)}",
                [match, *params],
            )
    if reading.negative:
        negative = f"{TEXT_COLUMNS} : ({reading.negative})" if reading.owner_like else reading.negative
        where.append("a.id NOT IN (SELECT rowid FROM articles_search WHERE articles_search MATCH %s)")
        params.append(negative)
    return f"SELECT a.id FROM articles_article a WHERE {' AND '.join(where)}", params


class _Matcher:
    """Which words of an article's text match the query's patterns, under the article's configuration."""

    def __init__(self, patterns: list[tuple[str, ...]]):
        self.single = {p[0] for p in patterns if len(p) == 1 and not p[0].endswith("*")}
        self.prefixes = tuple(p[0][:-1] for p in patterns if len(p) == 1 and p[0].endswith("*"))
        self.multi: dict[str, list[tuple[str, ...]]] = {}
        for p in patterns:
            if len(p) > 1:
                self.multi.setdefault(p[0], []).append(p)

    @staticmethod
    def _same(stem: str, token: str) -> bool:
        return stem.startswith(token[:-1]) if token.endswith("*") else stem == token

    def length_at(self, stems: list[str], i: int) -> int:
        """How many words of a match start at ``stems[i]`` (0: none; 1: one word; more: a phrase)."""
        stem = stems[i]
        best = 1 if stem in self.single or (self.prefixes and stem.startswith(self.prefixes)) else 0
        for pattern in self.multi.get(stem, ()):
            fits = len(pattern) > best and len(stems) >= i + len(pattern)
            if fits and all(self._same(stems[i + k], t) for k, t in enumerate(pattern)):
                best = len(pattern)
        return best


def _headline(text: str, config: str, matcher: _Matcher) -> str | None:
    """HEADLINE_WORDS words around the first match in ``text``, matches between START_SEL and STOP_SEL,
    " … " where the text goes on; None when nothing in the text matches."""
    import unicodedata

    text = unicodedata.normalize("NFC", text or "")
    spans: list[tuple[int, int]] = []
    stems: list[str] = []
    first = None
    pattern = _text.word_pattern()
    pos = 0
    while first is None or len(stems) < first + HEADLINE_WORDS + 8:
        chunk = []
        for match in pattern.finditer(text, pos):
            spans.append((match.start(), match.end()))
            chunk.append(match.group().lower())
            if len(chunk) >= HEADLINE_CHUNK:
                break
        if not chunk:
            break
        pos = spans[-1][1]
        start = len(stems)
        stems.extend(_text.stems(config, chunk))
        if first is None:
            limit = len(stems) if len(chunk) < HEADLINE_CHUNK else len(stems) - 8  # a phrase may go on
            first = next((i for i in range(max(0, start - 8), limit) if matcher.length_at(stems, i)), None)
            if first is None and len(stems) >= HEADLINE_MAX_WORDS:
                return None
    if first is None:
        first = next((i for i in range(len(stems)) if matcher.length_at(stems, i)), None)
        if first is None:
            return None
    lo = max(0, first - HEADLINE_BEFORE)
    hi = min(len(stems), lo + HEADLINE_WORDS)
    out = ["… " if lo > 0 else ""]
    cursor = spans[lo][0]
    i = lo
    while i < hi:
        length = matcher.length_at(stems, i)
        if length:
            last = min(i + length, len(spans)) - 1
            out.append(text[cursor : spans[i][0]] + START_SEL + text[spans[i][0] : spans[last][1]] + STOP_SEL)
            cursor = spans[last][1]
            i = last + 1
        else:
            i += 1
    out.append(text[cursor : spans[hi - 1][1]])
    if hi < len(stems) or pattern.search(text, spans[hi - 1][1]):
        out.append(" …")
    return "".join(out)


def headlines(ids: list[int], reading) -> dict[int, str]:
    """Headlines for these articles: {id: passage with START_SEL/STOP_SEL marks}, for those whose text
    matches (the others show their excerpt). About 1 µs a word read, and the reading stops after the
    first match."""
    if not ids or not isinstance(reading, _Reading) or not reading.patterns:
        return {}
    matcher = _Matcher(reading.patterns)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, search_config, content_text FROM articles_article WHERE id IN ({marks})", ids
        )
        rows = cursor.fetchall()
    out = {}
    for article_id, config, text in rows:
        passage = _headline(text, config or "simple", matcher)
        if passage:
            out[article_id] = passage
    return out
