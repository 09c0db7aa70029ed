"""The search index's objects as migrations 0023_search_boundary_pairs, 0024_search_rank_vector_inline and
0025_search_pairs_twice write them (PostgreSQL only): a frozen copy for those migrations. Never edit it and
never import it from live code (the live schema is ``articles.search.schema``).

The two new index functions are PL/pgSQL. PostgreSQL parses and plans the body of a ``LANGUAGE sql``
function that is a query again for every statement that calls it, and each new article's search row calls
every index expression once: 2,000 one-call statements cost about 0.1 ms more each with the SQL versions
of these two functions than with none, and about 0.01 ms with the PL/pgSQL versions, which keep their
plans for the session (the same results on 3,000 articles of the bench library). The save benchmark's
database CPU per save was 1.72-2.00 ms with the SQL versions and 1.26-1.55 ms with these.

``articles_boundary_pairs(search_vector)``: the pair of lexemes that straddles the end of the title and
metadata (weights A and B) and the start of the body (weight C), when they are adjacent ("Picking an apple"
then "Tree climbing…" gives 'appl tree'), as a tsvector of at most one lexeme per shared position, with a GIN
expression index. ``search_vector`` concatenates the three parts with ``||``, which continues the
positions, so the last title or metadata word and the first body word form a phrase: one occurrence there
ranks 0.27-0.33 (an A or B word beside a C word) where a body occurrence ranks 0.2. A two-word phrase is
ranked from the indexes (articles.search._postgres._rank_two_word_phrase) only when the articles where it
can straddle are known: this index names them. About 60% of the bench library's articles have one such pair;
computing it costs about 0.2 ms of CPU per article (5,000 articles of the bench library: 1.0 s, the twice
index's expression 0.9 s).
"""

from __future__ import annotations

PG_INSTALL = r"""
CREATE OR REPLACE FUNCTION articles_boundary_pairs(v tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN coalesce(array_to_tsvector(ARRAY(
        SELECT h.lexeme || ' ' || b.lexeme
        FROM (SELECT max(p.pos) AS pos FROM unnest(ts_filter(v, '{a,b}')) AS u,
                     unnest(u.positions) AS p(pos)) AS edge,
             unnest(ts_filter(v, '{a,b}')) AS h,
             unnest(ts_filter(v, '{c,d}')) AS b
        WHERE edge.pos = ANY(h.positions) AND edge.pos + 1 = ANY(b.positions)
    )), ''::tsvector);
END
$$;
CREATE INDEX IF NOT EXISTS article_search_doc_boundary ON articles_search_doc
    USING gin (articles_boundary_pairs(search_vector)) WITH (fastupdate = off);
"""

PG_UNINSTALL = r"""
DROP INDEX IF EXISTS article_search_doc_boundary;
DROP FUNCTION IF EXISTS articles_boundary_pairs(tsvector);
"""


def install(schema_editor) -> None:
    """Migration 0023 forwards (PostgreSQL only): the boundary pairs' index."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INSTALL)


def uninstall(schema_editor) -> None:
    """Migration 0023 backwards."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UNINSTALL)


#: Migration 0024_search_rank_vector_inline: the compact ranking vector stays in the article row. Every
#: ranking tier reads it for each candidate (``ts_rank_cd`` on ``search_rank_vector``), and a vector longer
#: than about 2 kB was moved to the TOAST table (uncompressed: pglz left these vectors as they were): about
#: 18% of the bench library's articles, the long ones, which are the ones the heavy tier holds. Reading
#: those 908 vectors of "online business" at 100,000 articles took 4.4 ms from TOAST and 0.95 ms inline (``sum(length(...))`` over the heavy tier's bitmap, the machine
#: otherwise idle). ``STORAGE MAIN`` keeps a value in the row unless the row cannot fit in a page; the
#: vectors already moved out are written again (one statement; the search trigger sees no text change and
#: leaves the search row alone).
PG_INLINE_INSTALL = r"""
ALTER TABLE articles_article ALTER COLUMN search_rank_vector SET STORAGE MAIN;
UPDATE articles_article SET search_rank_vector = search_rank_vector || ''::tsvector
WHERE pg_column_size(search_rank_vector) > 1900;
"""

PG_INLINE_UNINSTALL = r"""
ALTER TABLE articles_article ALTER COLUMN search_rank_vector SET STORAGE EXTENDED;
"""


def inline_install(schema_editor) -> None:
    """Migration 0024 forwards (PostgreSQL only): the compact vector kept in the article row."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INLINE_INSTALL)


def inline_uninstall(schema_editor) -> None:
    """Migration 0024 backwards: values written from then on may be moved out again."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INLINE_UNINSTALL)


#: Migration 0025_search_pairs_twice: the phrase pairs an article holds at least twice, as a GIN expression
#: index. A two-word phrase one of whose words is not in the compact vector (so named at most twice, in the
#: body only) occurs there once (rank 0.2) or twice (0.4): this index tells which without reading the
#: vector from TOAST (articles.search._postgres._rank_two_word_phrase). Lexemes seen once cannot be in a
#: repeated pair, so they are left out before the positions are sorted: about 0.32 ms of CPU per article
#: (5,000 articles of the bench library: 1.6 s; the phrase-pair index's expression 2.3 s), 39 pairs per
#: article against 329 in the phrase-pair index.
PG_PAIRS_TWICE_INSTALL = r"""
CREATE OR REPLACE FUNCTION articles_phrase_pairs_twice(v tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT coalesce(array_to_tsvector(array_agg(z.pair)), ''::tsvector)
    FROM (SELECT y.pair
          FROM (SELECT x.lexeme || ' ' || lead(x.lexeme) OVER w AS pair, lead(x.pos) OVER w - x.pos AS gap
                FROM (SELECT u.lexeme, unnest(u.positions) AS pos FROM unnest(v) AS u
                      WHERE cardinality(u.positions) >= 2) AS x
                WINDOW w AS (ORDER BY x.pos)) AS y
          WHERE y.gap = 1 GROUP BY y.pair HAVING count(*) >= 2) AS z);
END
$$;
CREATE INDEX IF NOT EXISTS article_search_doc_pairs_twice ON articles_search_doc
    USING gin (articles_phrase_pairs_twice(search_vector)) WITH (fastupdate = off);
"""

PG_PAIRS_TWICE_UNINSTALL = r"""
DROP INDEX IF EXISTS article_search_doc_pairs_twice;
DROP FUNCTION IF EXISTS articles_phrase_pairs_twice(tsvector);
"""


def pairs_twice_install(schema_editor) -> None:
    """Migration 0025 forwards (PostgreSQL only): the index of the pairs held at least twice."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_PAIRS_TWICE_INSTALL)


def pairs_twice_uninstall(schema_editor) -> None:
    """Migration 0025 backwards."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_PAIRS_TWICE_UNINSTALL)
