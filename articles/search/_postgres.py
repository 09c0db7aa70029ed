"""PostgreSQL search: each article's ``search_vector`` (title A; author, site, tags B; body C) is parsed under
its own language's configuration (``search_config``), so a query is turned into a tsquery under every
configuration present in the user's library and ORed term by term ("running" → 'run' for English articles,
'running' for the others). Matches come from the GIN index; ranking is ``ts_rank_cd`` with weights {D 0.1,
C 0.2, B 0.4, A 1.0}, newer first on ties; headlines are ``ts_headline`` computed only for the page shown.

Where the time goes, and what Folio does about it (articles.search.schema has the objects):

- Counting: matches come from the GIN index on ``articles_search_doc.search_vector``, a narrow table (one
  ~60-byte row per article, the vector out of line), so counting 20,000 matches visits ~1,800 heap pages,
  not the wide article rows. ``enable_seqscan`` is off for the search statements: a sequential scan would
  read every vector from TOAST. The count stops at the cap the caller gives (``count_limit``: 10,000 by
  default, articles.search.count_limit), so at most 10,001 rows are visited whatever the library's size.
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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection

from ._common import (
    START_SEL,
    STOP_SEL,
    base_where,
    day_start,
    filter_sql,
    like,
    user_configs,
    with_tag_ids,
)
from .query import Filter, SearchQuery, Term

RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"
#: RANK_WEIGHTS as numbers, for the rank bounds of the ranking tiers (weights D, C, B, A).
_WEIGHT_D, _WEIGHT_C, _WEIGHT_B, _WEIGHT_A = (float(w) for w in RANK_WEIGHTS.strip("{}").split(","))
FULL_RANK_LIMIT = 400
#: Extra candidates re-ranked on the full vector beyond the page: for one word the compact vector's rank
#: is the full rank (all positions kept), so only queries of several words reorder; 60 kept the top 20
#: identical to the naive ranking for every query of bench/search_bench.py at 100,000 articles.
CANDIDATES = 60
HEADLINE_OPTIONS = (
    f'MaxFragments=2, MaxWords=22, MinWords=8, ShortWord=2, FragmentDelimiter=" … ", '
    f"StartSel={START_SEL}, StopSel={STOP_SEL}"
)
#: Characters of body text given to ts_headline, starting this many before the estimated first match.
#: ts_headline costs about 0.2 ms per 800 characters; two fragments of 22 words fit in 500.
HEADLINE_WINDOW = 520
HEADLINE_BEFORE = 150


#: Filters answered from the narrow articles_search_doc row (PostgreSQL) without reading the article.
_DOC_FILTERS = {
    "unread": "NOT s.is_read",
    "read": "s.is_read",
    "archived": "s.is_archived",
    "favorite": "s.is_favorite",
}


def _doc_filter_sql(flt: Filter, user_id: int) -> tuple[str, list] | None:
    params: list
    if flt.key == "tag":  # the tag ids on the search row (migration 0021), through their GIN index
        # With a word, the two GIN bitmaps are intersected before any row is visited. Before, the tag's
        # articles were semi-joined to every match of the word and each match was visited to test it
        # ("tag:politics available" at 1,000,000 articles: 400 ms of database CPU for 9,988 results).
        ids = [int(pk) for pk in flt.ids or ()]
        sql, params = ("s.tag_ids && %s::bigint[]", [ids]) if ids else ("1 = 0", [])
    elif flt.key == "site":  # the site name and URL hosts, copied into the search row by the trigger
        sql, params = "s.site LIKE %s ESCAPE '\\'", [like(str(flt.value))]
    elif flt.key == "is":
        sql, params = _DOC_FILTERS[str(flt.value)], []
    elif flt.key == "before":
        sql, params = "s.saved_at < %s", [day_start(flt.day)]
    elif flt.key == "after":
        sql, params = "s.saved_at >= %s", [day_start(flt.day)]
    else:
        return None
    return (f"NOT ({sql})" if flt.negated else sql), params


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


#: The weight label of a lexeme in a tsquery text ('appl':A, 'appl':*A), for reading title terms unlabelled.
_LABEL = re.compile(r"(?<=')(:\*?)[A-D]+")
#: The title's lexemes with their positions: every lexeme weighted A is in the compact ranking vector with
#: all its positions (articles_rank_vector keeps the A and B lexemes), which is inline in the article row.
#: A GIN expression index (migration 0009) finds title matches exactly; ts_rank_cd of a title-only query
#: on it equals the rank on the full vector (only A positions count for an A-labelled query).
TITLE_VECTOR = "ts_filter(a.search_rank_vector, '{a}')"


def _wrap(pieces: list[str]) -> str:
    return " & ".join(f"( {p} )" if len(pieces) > 1 else p for p in pieces)


@dataclass
class _PgQuery:
    """A query read for PostgreSQL (each part a tsquery text, '' when absent).

    ``full``: the whole query over ``search_vector`` (ranking, headlines, the naive benchmark).
    ``match``: what must be checked on ``search_vector`` to find the matches: ``full`` less the groups of
    two-word phrases that the phrase-pair index answers exactly. ``excluded``: the excluded terms, ORed,
    when ``match`` has no positive part to carry them. ``pairs``: the phrase-pair condition on
    ``articles_phrase_pairs(search_vector)`` (articles.search.schema), or ''. ``title``: the groups made
    of ``title:`` terms only, without their weight label, matched exactly on the title vector
    (``TITLE_VECTOR``, its own GIN index) instead of rechecking weights on every vector holding the word.
    """

    full: str = ""
    match: str = ""
    excluded: str = ""
    pairs: str = ""
    title: str = ""


def _pg_query(cursor, query: SearchQuery, configs: list[str]) -> _PgQuery:
    """Read the query under the user's configurations, in one round trip (see ``_PgQuery``).

    Each term is read under every configuration of the user's library; identical readings are merged, so
    "tariffs" becomes 'tariff' | 'tariffs' rather than one alternative per language. The ``full`` text is
    '' when every positive term is a stop word.
    """
    terms = [t for group in query.groups for t in group] + list(query.excluded)
    if not terms:
        return _PgQuery()
    exprs: list[str] = []
    params: list = []
    spans: list[tuple[int, int]] = []
    for term in terms:
        term_exprs, term_params = _pg_term_exprs(term, configs)
        spans.append((len(exprs), len(exprs) + len(term_exprs)))
        exprs.extend(term_exprs)
        params.extend(term_params)
    cursor.execute("SELECT " + ", ".join(exprs), params)
    row = cursor.fetchone()
    readings: list[str] = []
    pair_readings: list[tuple[str, bool] | None] = []
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
        phrases = [found for found in map(_phrase_pairs, variants) if found is not None]
        if variants and len(phrases) == len(variants):
            alternatives = [" & ".join(_tsquery_lexeme(p) for p in pairs) for pairs, _exact in phrases]
            pair_readings.append(
                (" | ".join(f"( {a} )" for a in alternatives), all(exact for _p, exact in phrases))
            )
        else:
            pair_readings.append(None)
    full, match, pairs, title = [], [], [], []
    k = 0
    for group in query.groups:
        members = [
            (r, p, t.field)
            for r, p, t in zip(
                readings[k : k + len(group)], pair_readings[k : k + len(group)], group, strict=True
            )
            if r
        ]
        k += len(group)
        if not members:
            continue
        ors = [r for r, _p, _f in members]
        reading = ors[0] if len(ors) == 1 else "( " + " | ".join(ors) + " )"
        full.append(reading)
        if all(f == "title" for _r, _p, f in members):
            title.append(_LABEL.sub(lambda m: m.group(1) if m.group(1) == ":*" else "", reading))
            continue
        member_pairs = [p for _r, p, _f in members if p is not None]
        if len(member_pairs) == len(members):
            pair_ors = [p[0] for p in member_pairs]
            pairs.append(
                pair_ors[0] if len(pair_ors) == 1 else "( " + " | ".join(f"( {p} )" for p in pair_ors) + " )"
            )
            if all(p[1] for p in member_pairs):
                continue  # the pairs are the phrase: nothing to check on the full vector
        match.append(reading)
    if not full and query.groups:
        return _PgQuery()  # every positive term is a stop word
    excluded = [r for r in readings[k:] if r]
    full.extend(f"!( {r} )" for r in excluded)
    if match or not (pairs or title):
        match.extend(f"!( {r} )" for r in excluded)
        return _PgQuery(_wrap(full), _wrap(match), "", _wrap(pairs), _wrap(title))
    return _PgQuery(_wrap(full), "", " | ".join(f"( {r} )" for r in excluded), _wrap(pairs), _wrap(title))


def tsquery_text(cursor, query: SearchQuery, configs: list[str]) -> str:
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
    join = bool(pg_query.title)
    if pg_query.title:
        where.append(f"{TITLE_VECTOR} @@ %s::tsquery")
        params.append(pg_query.title)
    for flt in query.filters:
        doc = _doc_filter_sql(flt, user.pk)
        if doc is None:
            doc, join = filter_sql(flt), True
        where.append(doc[0])
        params.extend(doc[1])
    source = "articles_search_doc s" + (" JOIN articles_article a ON a.id = s.article_id" if join else "")
    return source, " AND ".join(where), params


def search(
    user, query: SearchQuery, offset: int, limit: int, count_limit: int | None = None
) -> tuple[int, list[tuple[int, float]], str, bool]:
    """(count, [(id, rank)], tsquery text, ranked) on PostgreSQL. With ``count_limit``, the matches are
    counted up to ``count_limit + 1`` only (a count above ``count_limit`` means "more"): the heap visits
    stop there, where an exact count of a common word's 200,000 matches at 1,000,000 articles visited them
    all (120-150 ms of database CPU)."""
    cap = None if count_limit is None else count_limit + 1
    with connection.cursor() as cursor:
        query = with_tag_ids(cursor, user.pk, query)
        if not query.groups:  # filters and exclusions only: newest first
            return _textless(cursor, user, query, offset, limit, cap)
        pg_query = _pg_query(cursor, query, user_configs(cursor, user.pk))
        tsquery = pg_query.full
        if not tsquery:  # only stop words: nothing can match
            return 0, [], "", False
        # The match set always comes from the GIN indexes, never from a scan that reads every vector.
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            source, where_sql, params = _pg_doc_where(user, query, pg_query)
            title_only = bool(pg_query.title) and not (pg_query.match or pg_query.pairs or query.excluded)
            if title_only and limit:
                # Title terms only: the rank on the title vector is the full rank (see TITLE_VECTOR), and
                # ranking reads every match anyway, so the same pass counts them (exactly): a pass of its
                # own for the count read the same rows again (title:people at 100,000 articles: 34 ms of
                # 100 ms).
                # On the article rows alone: the title vector's GIN index is on them, and joining each
                # match to its search row (an index probe per match) was most of "title:apple" at
                # 1,000,000 articles (12,767 matches). Ranked on the compact vector itself: the query's
                # terms are labelled A, so only title positions count, the same rank as on the title
                # vector without building it for each match (the same ranks for all 12,767; 75 -> 63 ms).
                where, a_params = base_where(user, query)
                cursor.execute(
                    "SELECT t.id, t.rank, count(*) OVER () FROM ("
                    f"SELECT a.id, a.saved_at, ts_rank_cd('{RANK_WEIGHTS}', a.search_rank_vector, %s::tsquery) "
                    f"AS rank FROM articles_article a WHERE {' AND '.join(where)} AND {TITLE_VECTOR} @@ %s::tsquery) t "
                    "ORDER BY t.rank DESC, t.saved_at DESC, t.id DESC LIMIT %s OFFSET %s",
                    [tsquery, *a_params, pg_query.title, limit, offset],
                )
                ranked_rows = cursor.fetchall()
                if ranked_rows:
                    return ranked_rows[0][2], [(row[0], row[1]) for row in ranked_rows], tsquery, True
            # One pass over the matches (up to the cap; LIMIT NULL is no limit) gives the count and, for a
            # small set, the ids to rank.
            cursor.execute(
                "SELECT m.article_id, count(*) OVER () "
                f"FROM (SELECT s.article_id FROM {source} WHERE {where_sql} LIMIT %s) m LIMIT %s",
                [*params, cap, FULL_RANK_LIMIT + 1],
            )
            rows = cursor.fetchall()
            matched = [row[0] for row in rows]
            count = rows[0][1] if rows else 0
            if not count or offset >= count or not limit:
                return count, [], tsquery, True
            rank_full = f"ts_rank_cd('{RANK_WEIGHTS}', s.search_vector, %s::tsquery)"
            # The ids to rank on the full vector: every match of a small set; for a big one the best
            # candidates by the compact vector, or every match when too few of them have one.
            # (A count that reached the cap is not every match: that set is ranked as a big one.)
            exact = cap is None or count < cap
            to_rank: list[int] | None = matched if exact and count <= FULL_RANK_LIMIT else None
            # The heavy tier first: for one word, an article outside it mentions the word at most 5 times,
            # in the body only (rank <= 1.0), below every article in it (>= 6 mentions, or a title, author,
            # site or tag match): when it fills the page, the page is the full ranking's.
            where, a_params = base_where(user, query)
            # The heavy tier's GIN index is asked for the lexemes only (no phrase, no weight: no recheck,
            # which would compute articles_heavy_vector again for every candidate: 0.5 ms each, 480 ms for
            # a phrase of common words at 100,000 articles); the phrase and the weights are checked on
            # the compact vector, which holds the heavy tier's lexemes with the same positions (through
            # ts_match_vq, the function behind @@, which no index takes: a bitmap of both indexes would
            # recheck the heavy expression on every row).
            lexemes = _LABEL.sub(
                lambda m: m.group(1) if m.group(1) == ":*" else "", _TSQUERY_OPERATOR.sub(" & ", tsquery)
            )
            # A query of lexemes only (no phrase, weight or negation) that the heavy tier holds is held
            # by the compact vector too (the heavy tier's lexemes are a subset of its): no check is needed
            # there (it decompressed each candidate's compact vector once more than the ranking does).
            monotone = lexemes == tsquery and "!" not in _TSQUERY_LEXEME.sub("", tsquery)
            heavy = "articles_heavy_vector(a.search_rank_vector) @@ %s::tsquery"
            tiers = (
                (heavy, [lexemes])
                if monotone
                else (f"{heavy} AND ts_match_vq(a.search_rank_vector, %s::tsquery)", [lexemes, tsquery]),
                ("a.search_rank_vector @@ %s::tsquery", [tsquery]),
            )
            candidates: list[int] = []
            # A tier is taken only when the page's last candidate outranks every article outside it: for
            # one word, more than 5 body mentions' 1.0 (the heavy tier also holds articles naming the word
            # once in a tag, 0.4) and 2 mentions' 0.4 (``_word_bounds``); for a two-word phrase, what the
            # phrase can score outside (``_phrase_bounds``: a heavy-tier article can hold both words often
            # and the phrase once). The articles holding two spellings of a word are ranked apart.
            # (Only when the tiers run: a set small enough to rank whole needs none of this.)
            single = to_rank is None and _single_word(tsquery)
            multi = _multi_spelling(cursor, user, query, tsquery) if single else []
            if multi is None:  # too many to rank apart: the tiers as they were
                single, multi = False, []
            bounds = _word_bounds() if single else _phrase_bounds(tsquery)
            # A two-word phrase counted exactly is ranked from the indexes when the heavy tier does not
            # answer (``_rank_two_word_phrase`` ranks the compact vector's matches itself).
            phrase_exact = exact and bounds is not None and bool(pg_query.pairs)
            for tier, (condition, tier_params) in enumerate(tiers):
                if to_rank is not None or (tier == 1 and phrase_exact):
                    break
                cursor.execute(
                    f"SELECT a.id, ts_rank_cd('{RANK_WEIGHTS}', a.search_rank_vector, %s::tsquery) AS r "
                    f"FROM articles_article a WHERE {' AND '.join(where)} AND {condition} "
                    "ORDER BY r DESC, a.saved_at DESC, a.id DESC LIMIT %s",
                    [tsquery, *a_params, *tier_params, offset + limit + CANDIDATES],
                )
                tier_rows = cursor.fetchall()
                candidates = [row[0] for row in tier_rows]
                if len(candidates) >= offset + limit and (
                    bounds is None
                    or tier_rows[offset + limit - 1][1] > bounds[tier] + 1e-6
                    # Past the count limit the tier's best are taken as they were: the next tier or every
                    # match would read far more (the compact vectors of 60,000 articles holding both words
                    # of "online business" at 1,000,000 articles: 920 ms; all 219,000 vectors: 2 s).
                    or not exact
                ):
                    to_rank = candidates
            if to_rank is not None and multi:
                to_rank = list(dict.fromkeys([*to_rank, *multi]))
            if to_rank is None and single and len(candidates) < offset + limit + CANDIDATES:
                # Every compact-vector match is among the candidates: the rest ranks from the indexes.
                ranked = _rank_single_word(
                    cursor, user, query, tsquery, compact=candidates, multi=multi, offset=offset, limit=limit
                )
                return count, ranked, tsquery, True
            if to_rank is None and phrase_exact:
                # A two-word phrase counted exactly: ranked from the indexes (``_rank_two_word_phrase``),
                # or None when too many of its matches need their vector read.
                phrase_ranked = _rank_two_word_phrase(
                    cursor, user, query, tsquery, pg_query.pairs, offset=offset, limit=limit
                )
                if phrase_ranked is not None:
                    return count, phrase_ranked, tsquery, True
            if to_rank is not None:
                # A candidate matched on the compact vector; an excluded word may still be in its body.
                cursor.execute(
                    f"SELECT s.article_id, {rank_full} AS rank FROM articles_search_doc s "
                    "WHERE s.article_id = ANY(%s) AND s.search_vector @@ %s::tsquery "
                    "ORDER BY rank DESC, s.saved_at DESC, s.article_id DESC LIMIT %s OFFSET %s",
                    [tsquery, to_rank, tsquery, limit, offset],
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


_PHRASE_OF_TWO = re.compile(r"'(?:[^']|'')+' <-> '(?:[^']|'')+'")


def _phrase_bounds(tsquery: str) -> tuple[float, float] | None:
    """For a phrase of two words (its readings ORed, ``'attack' <-> 'tri'``), the highest rank an article
    can have outside the heavy tier and outside the compact vector; None for any other query.

    Outside a tier, one of the two words is mentioned at most 5 times (heavy tier) or twice (compact
    vector), in the body only (weight C), so the phrase occurs at most that often. Each occurrence ranks
    2 / (1/w1 + 1/w2) (ts_rank_cd: a cover of two adjacent items, no noise): 0.2 for two body words, at
    most 0.33 for the one occurrence that can straddle the title or metadata and the body. Each reading of
    the phrase can add its own occurrences. Source: PostgreSQL's calc_rank_cd (src/backend/utils/adt/
    tsrank.c), checked with ts_rank_cd on hand-made vectors.
    """
    readings = _PHRASE_OF_TWO.findall(tsquery)
    if not readings or set(_PHRASE_OF_TWO.sub("", tsquery)) - set("()| "):
        return None
    c = _WEIGHT_C
    body = 2 / (1 / c + 1 / c)
    straddle = 2 / (1 / c + 1 / max(_WEIGHT_A, _WEIGHT_B, _WEIGHT_C, _WEIGHT_D))
    n = len(readings)
    return n * (4 * body + straddle), n * (body + straddle)


#: A lexeme without a weight label or prefix mark, as the tsquery text writes it.
_BARE_LEXEME = re.compile(r"'((?:[^']|'')*)'(?!:)")
#: The ranks of one and two body mentions of a word (weight C), and of one and two body occurrences of a
#: two-word phrase, as PostgreSQL computes and returns them (float4): asked once per process
#: (``_mention_ranks``).
_MENTION_RANKS: tuple[float, float, float, float] | None = None


def _mention_ranks(cursor) -> tuple[float, float, float, float]:
    """(one body mention of a word, two, one body occurrence of a two-word phrase, two), as PostgreSQL
    ranks them (float4, so compared as it returns them)."""
    global _MENTION_RANKS
    if _MENTION_RANKS is None:
        cursor.execute(
            f"SELECT ts_rank_cd('{RANK_WEIGHTS}', 'w:1C'::tsvector, 'w'::tsquery), "
            f"ts_rank_cd('{RANK_WEIGHTS}', 'w:1C,3C'::tsvector, 'w'::tsquery), "
            f"ts_rank_cd('{RANK_WEIGHTS}', 'v:1C w:2C'::tsvector, 'v <-> w'::tsquery), "
            f"ts_rank_cd('{RANK_WEIGHTS}', 'v:1C,5C w:2C,6C'::tsvector, 'v <-> w'::tsquery)"
        )
        _MENTION_RANKS = tuple(cursor.fetchone())
    return _MENTION_RANKS


#: Beyond this many articles holding two spellings of the word (rare: "advisori" and "advisory" in one
#: article), the set is ranked the old way, every vector read.
_MULTI_SPELLING_LIMIT = 200


def _single_word(tsquery: str) -> bool:
    """True for a query of one word: one lexeme, or the readings of one word ORed (``( 'advisori' ) |
    ( 'advisory' )``), no weight, prefix, phrase, AND or NOT."""
    rest = _BARE_LEXEME.sub("", tsquery)
    return bool(_BARE_LEXEME.search(tsquery)) and set(rest) <= set("()| ")


def _word_bounds() -> tuple[float, float]:
    """For one word: the highest rank an article can have outside the heavy tier (5 body mentions) and
    outside the compact vector (2 body mentions), each mention weighing C (ts_rank_cd: one cover each)."""
    return 5 * _WEIGHT_C, 2 * _WEIGHT_C


def _multi_spelling(cursor, user, query: SearchQuery, tsquery: str) -> list[int] | None:
    """The articles (the query's filters applied) holding two spellings of a one-word query's readings
    (``( 'advisori' ) | ( 'advisory' )``: an article parsed with the simple configuration can hold both),
    whose mentions add up; [] for a single spelling, None beyond ``_MULTI_SPELLING_LIMIT``."""
    spellings = list(dict.fromkeys(_BARE_LEXEME.findall(tsquery)))
    if len(spellings) < 2:
        return []
    source, filters_sql, params = _pg_doc_where(user, query, _PgQuery())
    both = " | ".join(f"( '{a}' & '{b}' )" for i, a in enumerate(spellings) for b in spellings[i + 1 :])
    cursor.execute(
        f"SELECT s.article_id FROM {source} WHERE {filters_sql} AND s.search_vector @@ %s::tsquery LIMIT %s",
        [*params, both, _MULTI_SPELLING_LIMIT + 1],
    )
    multi = [row[0] for row in cursor.fetchall()]
    return None if len(multi) > _MULTI_SPELLING_LIMIT else multi


def _full_vector_ranks(cursor, tsquery: str, ids: list[int]) -> list[tuple[int, float, object]]:
    """[(id, rank, saved_at)] of the given articles, ranked on their full vectors (read from TOAST: tens
    of µs each, so for the few articles no index can rank); [] for no ids, without a query."""
    if not ids:
        return []
    cursor.execute(
        f"SELECT s.article_id, ts_rank_cd('{RANK_WEIGHTS}', s.search_vector, %s::tsquery), s.saved_at "
        "FROM articles_search_doc s WHERE s.article_id = ANY(%s)",
        [tsquery, ids],
    )
    return list(cursor.fetchall())


def _rank_single_word(
    cursor,
    user,
    query: SearchQuery,
    tsquery: str,
    *,
    compact: list[int],
    multi: list[int],
    offset: int,
    limit: int,
) -> list[tuple[int, float]]:
    """The page of a one-word query (``_single_word``) whose compact-vector matches (``compact``: all of
    them) do not fill it with articles above 2 mentions' rank, ranked exactly without reading every
    match's vector: [(id, rank)]. ``multi``: the articles holding two spellings (``_multi_spelling``).

    Every other match holds the word in the body only, at most twice (else the compact vector would hold
    it: articles.search.schema), so ``ts_rank_cd`` gives it 0.2 per mention (weight C, each mention a
    cover): 0.4 for the articles the twice index finds (migration 0022, ``articles_twice_vector``), 0.2
    for the rest, newest first within each. The compact matches, and the few articles holding two
    spellings (whose mentions add up), are ranked on their full vectors. At 1,000,000 articles a rare word
    (about 6,250 matches) read every vector from TOAST: about 100 ms of database CPU.
    """
    need = offset + limit
    once, twice_rank, _phrase_once, _phrase_twice = _mention_ranks(cursor)
    source, filters_sql, params = _pg_doc_where(user, query, _PgQuery())
    fixed = list(dict.fromkeys([*compact, *multi]))
    rows = _full_vector_ranks(cursor, tsquery, fixed)
    # Every article mentioning the word twice (ids only, through the GIN index: no vector is read), then
    # the newest of those and of the rest.
    cursor.execute(
        f"SELECT s.article_id, s.saved_at FROM {source} WHERE {filters_sql} "
        "AND articles_twice_vector(s.search_vector) @@ %s::tsquery AND NOT (s.article_id = ANY(%s)) "
        "ORDER BY s.saved_at DESC, s.article_id DESC",
        [*params, tsquery, fixed],
    )
    twice = cursor.fetchall()
    rows.extend((pk, twice_rank, saved) for pk, saved in twice[:need])
    ranked = set(fixed).union(pk for pk, _saved in twice)
    source, where_sql, params = _pg_doc_where(user, query, _PgQuery(match=tsquery))
    cursor.execute(
        f"SELECT s.article_id, s.saved_at FROM {source} WHERE {where_sql} "
        "ORDER BY s.saved_at DESC, s.article_id DESC LIMIT %s",
        [*params, need + len(ranked)],
    )
    rows.extend((pk, once, saved) for pk, saved in cursor.fetchall() if pk not in ranked)
    rows.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    return [(pk, rank) for pk, rank, _saved in rows[offset:need]]


#: Beyond this many articles to rank on their full vectors, a phrase is ranked the old way (every match).
_PHRASE_FIXED_LIMIT = 2000
_PHRASE_OF_TWO_LEXEMES = re.compile(r"'((?:[^']|'')+)' <-> '((?:[^']|'')+)'")


def _rank_two_word_phrase(
    cursor,
    user,
    query: SearchQuery,
    tsquery: str,
    pairs: str,
    *,
    offset: int,
    limit: int,
) -> list[tuple[int, float]] | None:
    """The page of a two-word phrase (``_phrase_bounds`` not None; its readings ORed, ``pairs`` their
    phrase-pair tsquery) whose matches were counted exactly: [(id, rank)], the full ranking's, without
    reading every match's vector; None when more than ``_PHRASE_FIXED_LIMIT`` articles need theirs read.

    The articles whose compact vector holds the phrase are ranked on it: it keeps every position of its
    lexemes, so its rank is the full vector's. Any other match lacks one of the two words in the compact
    vector, so that word is in the body only, at most twice (articles.search.schema), and the phrase
    occurs there once or twice. Twice, both in the body, ranks ``ts_rank_cd`` 0.4: the index of the pairs
    an article holds twice (migration 0025) names those. Once ranks 0.2, unless the occurrence straddles
    the end of the title or metadata and the start of the body (0.27-0.33: the boundary index, migration
    0023). Those, and the articles holding two readings' pairs (their occurrences add up), are ranked on
    their full vectors; the rest rank 0.2, newest first within each rank. At 1,000,000 articles a phrase
    of about 6,400 matches read every vector from TOAST: 90-140 ms of database CPU.
    """
    quoted = _PHRASE_OF_TWO_LEXEMES.findall(tsquery)  # each lexeme as the tsquery text quotes it
    if not quoted or any(a == b for a, b in quoted):
        return None
    readings = [(a.replace("''", "'"), b.replace("''", "'")) for a, b in quoted]
    need = offset + limit
    _once, _twice, phrase_once, phrase_twice = _mention_ranks(cursor)
    source, filters_sql, params = _pg_doc_where(user, query, _PgQuery())

    def ids(condition: str, condition_params: list) -> list[int] | None:
        cursor.execute(
            f"SELECT s.article_id FROM {source} WHERE {filters_sql} AND {condition} LIMIT %s",
            [*params, *condition_params, _PHRASE_FIXED_LIMIT + 1],
        )
        found = [row[0] for row in cursor.fetchall()]
        return None if len(found) > _PHRASE_FIXED_LIMIT else found

    # Read on their full vectors: two readings' pairs in one article, and a pair straddling the boundary
    # (GIN bitmaps of the search row intersected; no vector is read to find them).
    full: set[int] = set()
    if len(readings) > 1:
        pair_lexemes = [_tsquery_lexeme(f"{a} {b}") for a, b in readings]
        both = " | ".join(f"( {p} & {q} )" for i, p in enumerate(pair_lexemes) for q in pair_lexemes[i + 1 :])
        multi = ids("articles_phrase_pairs(s.search_vector) @@ %s::tsquery", [both])
        if multi is None:
            return None
        full.update(multi)
    straddle = ids(
        "articles_phrase_pairs(s.search_vector) @@ %s::tsquery "
        "AND articles_boundary_pairs(s.search_vector) @@ %s::tsquery",
        [pairs, pairs],
    )
    if straddle is None:
        return None
    full.update(straddle)
    if len(full) > _PHRASE_FIXED_LIMIT:
        return None
    # The compact vector's matches, ranked on it (inline in the article row since migration 0024).
    where, a_params = base_where(user, query)
    cursor.execute(
        f"SELECT a.id, ts_rank_cd('{RANK_WEIGHTS}', a.search_rank_vector, %s::tsquery), a.saved_at "
        f"FROM articles_article a WHERE {' AND '.join(where)} AND a.search_rank_vector @@ %s::tsquery",
        [tsquery, *a_params, tsquery],
    )
    rows = [row for row in cursor.fetchall() if row[0] not in full]
    rows.extend(_full_vector_ranks(cursor, tsquery, list(full)))
    ranked = {row[0] for row in rows}
    # The phrase twice, in the body: the newest of them (the pair index intersected with the pairs-held-
    # twice index), then the newest of every match.
    for condition, condition_params, rank in (
        (
            "articles_phrase_pairs(s.search_vector) @@ %s::tsquery "
            "AND articles_phrase_pairs_twice(s.search_vector) @@ %s::tsquery",
            [pairs, pairs],
            phrase_twice,
        ),
        ("articles_phrase_pairs(s.search_vector) @@ %s::tsquery", [pairs], phrase_once),
    ):
        cursor.execute(
            f"SELECT s.article_id, s.saved_at FROM {source} WHERE {filters_sql} AND {condition} "
            "ORDER BY s.saved_at DESC, s.article_id DESC LIMIT %s",
            [*params, *condition_params, need + len(ranked)],
        )
        newest = [(pk, rank, saved) for pk, saved in cursor.fetchall() if pk not in ranked][:need]
        rows.extend(newest)
        ranked.update(pk for pk, _rank, _saved in newest)
    rows.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    return [(pk, rank) for pk, rank, _saved in rows[offset:need]]


def _textless(cursor, user, query: SearchQuery, offset: int, limit: int, cap: int | None = None):
    """A query of filters and exclusions only: (count, [(id, 0.0)] newest first, '', False); with ``cap``,
    counted up to ``cap`` only.

    Counted on the narrow search rows when every filter is one they hold (state, dates, tag, site): "is:unread"
    at 1,000,000 articles reads 70 MB there, not the article table (with the cap, the scan stops after
    ``cap`` rows). An exclusion cannot use GIN (every vector would be read: 2 s at 100,000 articles), so it
    is counted as the articles the filters find less those among them that hold the excluded terms (found
    through GIN), and the page walks the newest articles, leaving out those whose vector holds an excluded
    term. With a cap, when the filters alone find ``cap`` articles, the articles of every user holding an
    excluded term are counted (``_excluded_bound``, no user condition), and when the filters find ``cap``
    more than that, the count is capped; otherwise that count was exact and the user's exclusions are
    subtracted. ``-word`` for a word in 20% of 1,000,000 articles: the filter rows are counted up to
    210,000 instead of 1,000,000.
    """
    excluded_query = SearchQuery(groups=[list(query.excluded)], filters=query.filters)
    pg_excluded = _pg_query(cursor, excluded_query, user_configs(cursor, user.pk)) if query.excluded else None
    if pg_excluded is not None and not pg_excluded.full:
        pg_excluded = None  # stop words only: nothing is left out
    where, params = base_where(user, query)
    doc_filters = [_doc_filter_sql(flt, user.pk) for flt in query.filters]
    known_filters = [doc for doc in doc_filters if doc is not None]
    if len(known_filters) == len(doc_filters):
        doc_where = ["s.user_id = %s", "NOT s.deleted", *(doc[0] for doc in known_filters)]
        doc_params = [user.pk, *(p for doc in known_filters for p in doc[1])]
        count_sql, count_params = (
            f"SELECT 1 FROM articles_search_doc s WHERE {' AND '.join(doc_where)}",
            doc_params,
        )
    else:
        count_sql, count_params = f"SELECT 1 FROM articles_article a WHERE {' AND '.join(where)}", params

    def counted(at_most: int | None) -> int:
        cursor.execute(f"SELECT count(*) FROM ({count_sql} LIMIT %s) c", [*count_params, at_most])
        return cursor.fetchone()[0]

    count = counted(cap)
    capped = cap is not None and count >= cap
    if (
        capped
        and cap is not None
        and pg_excluded is not None
        and len(known_filters) == len(doc_filters)
        and _prefix_holds_cap(cursor, user, excluded_query, pg_excluded, doc_where, doc_params, cap)
    ):
        return _textless_page(cursor, user, query, pg_excluded, cap, offset, limit)
    if capped and cap is not None and pg_excluded is not None:
        # More than the limit before the exclusions: still more after them when the filters find at
        # least ``bound`` more, ``bound`` being every user's articles holding an excluded term.
        bound = _excluded_bound(cursor, pg_excluded)
        count = counted(None if bound is None else cap + bound)  # below that, the count is exact
        capped = bound is not None and count >= cap + bound
    if capped and cap is not None:
        count = cap
    elif pg_excluded is not None and count:  # counted exactly: less the user's excluded articles
        source, where_sql, excluded_params = _pg_doc_where(user, excluded_query, pg_excluded)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SELECT count(*) FROM {source} WHERE {where_sql}", excluded_params)
        count -= cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = on")
    return _textless_page(cursor, user, query, pg_excluded, count, offset, limit)


def _prefix_holds_cap(cursor, user, excluded_query, pg_excluded, doc_where, doc_params, cap: int) -> bool:
    """True when the ``2 * cap`` filter rows with the highest ids hold at least ``cap`` without an excluded
    term: then the query finds more than ``cap - 1`` articles, whatever the rest hold. Two index reads: the
    id of the prefix's last row (a backward walk of the primary key over ``2 * cap`` narrow rows), and the
    excluded articles among the prefix (the intersection of the primary key's range and the GIN bitmap of
    the excluded terms; index scans are off for it, else the planner walked the range reading every row's
    vector from TOAST). At 1,000,000 articles, ``-police`` (197,681 articles hold it) was decided in about
    26 ms, where counting every article holding it and 207,682 filter rows took about 160 ms.
    """
    prefix = 2 * cap
    cursor.execute(
        f"SELECT s.article_id FROM articles_search_doc s WHERE {' AND '.join(doc_where)} "
        "ORDER BY s.article_id DESC OFFSET %s LIMIT 1",
        [*doc_params, prefix - 1],
    )
    row = cursor.fetchone()
    if row is None:
        return False
    source, where_sql, params = _pg_doc_where(user, excluded_query, pg_excluded)
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("SET LOCAL enable_indexscan = off")
    cursor.execute(
        f"SELECT count(*) FROM {source} WHERE {where_sql} AND s.article_id >= %s", [*params, row[0]]
    )
    held = cursor.fetchone()[0]
    cursor.execute("SET LOCAL enable_indexscan = on")
    cursor.execute("SET LOCAL enable_seqscan = on")
    return prefix - held >= cap


def _textless_page(cursor, user, query: SearchQuery, pg_excluded, count: int, offset: int, limit: int):
    """The page of a textless query: (count, [(id, 0.0)] newest first, '', False)."""
    if not count or offset >= count or not limit:
        return count, [], "", False
    where, params = base_where(user, query)
    if pg_excluded is not None:
        where.append(
            "NOT EXISTS (SELECT 1 FROM articles_search_doc x WHERE x.article_id = a.id "
            "AND x.search_vector @@ %s::tsquery)"
        )
        params.append(pg_excluded.full)
    cursor.execute(
        f"SELECT a.id, 0.0 FROM articles_article a WHERE {' AND '.join(where)} "
        "ORDER BY a.saved_at DESC, a.id DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return count, list(cursor.fetchall()), "", False


def _excluded_bound(cursor, pg_excluded: _PgQuery) -> int | None:
    """How many articles of every user (deleted ones too) hold the excluded terms, an upper bound of the
    user's; None when the reading has no condition on the search row (``title:`` terms only). Counted
    through the GIN indexes with no other condition."""
    where, params = [], []
    if pg_excluded.match:
        where.append("search_vector @@ %s::tsquery")
        params.append(pg_excluded.match)
    if pg_excluded.pairs:
        where.append("articles_phrase_pairs(search_vector) @@ %s::tsquery")
        params.append(pg_excluded.pairs)
    if not where:
        return None
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute(f"SELECT count(*) FROM articles_search_doc WHERE {' AND '.join(where)}", params)
    bound = cursor.fetchone()[0]
    cursor.execute("SET LOCAL enable_seqscan = on")
    return bound


def ids_sql(user, query: SearchQuery) -> tuple[str, list] | None:
    """(SELECT of the ids of every article the query finds, parameters), unranked; None when nothing
    can match (only stop words). For the export's selection (articles.search.article_search_queryset)."""
    with connection.cursor() as cursor:
        query = with_tag_ids(cursor, user.pk, query)
        configs = user_configs(cursor, user.pk)
        if not query.groups:
            where, params = base_where(user, query)
            if query.excluded:
                excluded = SearchQuery(groups=[list(query.excluded)])
                pg_excluded = _pg_query(cursor, excluded, configs)
                if pg_excluded.full:
                    source, where_sql, excluded_params = _pg_doc_where(user, excluded, pg_excluded)
                    where.append(f"a.id NOT IN (SELECT s.article_id FROM {source} WHERE {where_sql})")
                    params.extend(excluded_params)
            return f"SELECT a.id FROM articles_article a WHERE {' AND '.join(where)}", params
        pg_query = _pg_query(cursor, query, configs)
    if not pg_query.full:
        return None
    source, where_sql, params = _pg_doc_where(user, query, pg_query)
    return f"SELECT s.article_id FROM {source} WHERE {where_sql}", params


_TSQUERY_LEXEME = re.compile(r"'((?:[^']|'')*)'(?::\*?[A-D]*)?")
_TSQUERY_OPERATOR = re.compile(r"\s*<(-|\d+)>\s*")
_TSQUERY_CHAIN = re.compile(
    r"'(?:[^']|'')*'(?::\*?[A-D]*)?(?:\s*<(?:-|\d+)>\s*'(?:[^']|'')*'(?::\*?[A-D]*)?)+"
)


def _lexeme_regex(lexeme: str) -> str:
    return re.sub(r"(\W)", r"\\\1", lexeme.replace("''", "'"))


#: A lexeme this short is a word of its own (prefixes need 3 letters: articles.search.query.MIN_PREFIX):
#: its pattern ends at the word's end. As a start of words, "s" (what ``s*`` is read as) found "said" first
#: in most articles, where ts_headline marks nothing, and each such article's whole text was parsed again
#: (190 ms of database CPU for one page at 100,000 articles).
SHORT_LEXEME = 2


def _word_regex(lexeme: str) -> str:
    """The pattern of a word the lexeme ``lexeme`` (tsquery text) comes from: the stem and any ending, or
    for a short lexeme (``SHORT_LEXEME``) the word itself."""
    plain = lexeme.replace("''", "'")
    return _lexeme_regex(lexeme) + ("\\M" if len(plain) <= SHORT_LEXEME else "\\w*")


def headline_pattern(tsquery: str) -> str:
    """A PostgreSQL regular expression (ARE, used case-insensitively) for the first place in the text that
    the tsquery matches: a word starting with one of its lexemes (a lexeme of one or two letters: that very
    word, ``SHORT_LEXEME``), or for a phrase (``'a' <-> 'b'``) the
    phrase's words in a row (a ``<N>`` gap allows N-1 words between). Stems are mostly prefixes of the
    words they come from ("measur" of "measure"), so the pattern finds the passage ts_headline will mark.
    Returns '' for a tsquery without lexemes."""
    pieces = []
    for chain in _TSQUERY_CHAIN.findall(tsquery):
        lexemes = [_word_regex(lex) for lex in _TSQUERY_LEXEME.findall(chain)]
        gaps = _TSQUERY_OPERATOR.findall(chain)
        piece = lexemes[0]
        for gap, lexeme in zip(gaps, lexemes[1:], strict=False):
            words = 0 if gap == "-" else int(gap) - 1
            piece += r"\W+" + (f"(?:\\w+\\W+){{0,{words}}}" if words else "") + lexeme
        pieces.append(piece)
    rest = _TSQUERY_CHAIN.sub(" ", tsquery)
    pieces.extend(
        dict.fromkeys(
            _lexeme_regex(lex) + ("\\M" if len(lex.replace("''", "'")) <= SHORT_LEXEME else "")
            for lex in _TSQUERY_LEXEME.findall(rest)
            if lex
        )
    )
    return "\\m(" + "|".join(dict.fromkeys(pieces)) + ")" if pieces else ""


def headlines(ids: list[int], tsquery: str) -> dict[int, str]:
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
