"""The search index's objects as migrations 0021_search_tag_ids and 0022_search_twice_index write them (PostgreSQL only): a frozen copy for
that migration. Never edit it and never import it from live code (the live schema is
``articles.search.schema``).

- ``articles_search_doc.tag_ids`` (bigint[], sorted): the ids of the article's tags, with a GIN index
  (``article_search_doc_tags``), so that ``tag:politics`` with a word intersects two GIN bitmaps on the
  narrow search row. Before, the tag's articles were semi-joined to every match of the word, and each match
  was visited to test it: ``tag:politics available`` at 1,000,000 articles cost 400 ms of database CPU for
  9,988 results. The statement triggers on the article-tag link table, which already keep
  ``articles_article.search_tags``, now keep ``tag_ids`` too; a new article's search row starts with none.
- ``articles_phrase_pairs`` without ``DISTINCT``: ``array_to_tsvector`` sorts its lexemes and removes
  duplicates itself, so the result is the same tsvector (checked on 5,000 articles of the bench library)
  for about a fifth less CPU (0.85 → 0.67 ms per article there): the phrase-pair index is the longest step
  of a 1,000,000-article build. The index stays valid: the function's results do not change.
"""

from __future__ import annotations

PG_INSTALL = r"""
CREATE OR REPLACE FUNCTION articles_tag_ids(article bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(at.tag_id ORDER BY at.tag_id), '{}'::bigint[])
    FROM articles_article_tags at WHERE at.article_id = article
$$;

ALTER TABLE articles_search_doc ADD COLUMN IF NOT EXISTS tag_ids bigint[] NOT NULL DEFAULT '{}';
UPDATE articles_search_doc d SET tag_ids = t.ids
FROM (SELECT article_id, array_agg(tag_id ORDER BY tag_id) AS ids FROM articles_article_tags GROUP BY article_id) t
WHERE t.article_id = d.article_id;
CREATE INDEX IF NOT EXISTS article_search_doc_tags ON articles_search_doc
    USING gin (tag_ids) WITH (fastupdate = off);

CREATE OR REPLACE FUNCTION articles_article_tags_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article a SET search_tags = articles_tag_names(a.id)
    WHERE a.id IN (SELECT DISTINCT article_id FROM changed)
      AND a.search_tags IS DISTINCT FROM articles_tag_names(a.id);
    UPDATE articles_search_doc d SET tag_ids = articles_tag_ids(d.article_id)
    WHERE d.article_id IN (SELECT DISTINCT article_id FROM changed)
      AND d.tag_ids IS DISTINCT FROM articles_tag_ids(d.article_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION articles_phrase_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(y.pair)), ''::tsvector)
    FROM (SELECT x.lexeme || ' ' || lead(x.lexeme) OVER w AS pair, lead(x.pos) OVER w - x.pos AS gap
          FROM (SELECT u.lexeme, unnest(u.positions) AS pos FROM unnest(v) AS u) AS x
          WINDOW w AS (ORDER BY x.pos)) AS y
    WHERE y.gap = 1
$$;
"""

PG_UNINSTALL = r"""
CREATE OR REPLACE FUNCTION articles_phrase_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT y.pair)), ''::tsvector)
    FROM (SELECT x.lexeme || ' ' || lead(x.lexeme) OVER w AS pair, lead(x.pos) OVER w - x.pos AS gap
          FROM (SELECT u.lexeme, unnest(u.positions) AS pos FROM unnest(v) AS u) AS x
          WINDOW w AS (ORDER BY x.pos)) AS y
    WHERE y.gap = 1
$$;

CREATE OR REPLACE FUNCTION articles_article_tags_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article a SET search_tags = articles_tag_names(a.id)
    WHERE a.id IN (SELECT DISTINCT article_id FROM changed)
      AND a.search_tags IS DISTINCT FROM articles_tag_names(a.id);
    RETURN NULL;
END
$$;

DROP INDEX IF EXISTS article_search_doc_tags;
ALTER TABLE articles_search_doc DROP COLUMN IF EXISTS tag_ids;
DROP FUNCTION IF EXISTS articles_tag_ids(bigint);
"""


#: Migration 0022_search_twice_index: the body lexemes an article holds exactly twice, as a GIN expression
#: index over its search vector. A word that is in neither tier of the compact ranking vector (at most two
#: mentions, body only) ranks 0.2 for one mention and 0.4 for two; this index tells the two apart without
#: reading the vector from TOAST, so a rare word is ranked from the GIN indexes and the search rows' dates
#: (``advisory`` at 100,000 articles: 604 vectors read, 8.5 ms warm and 104 ms cold; at 1,000,000 about
#: 6,250). Computing it costs about 0.4 ms of CPU per article (the unnest of the vector), as the heavy tier.
PG_TWICE_INSTALL = r"""
CREATE OR REPLACE FUNCTION articles_twice_vector(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_to_tsvector(ARRAY(
        SELECT u.lexeme FROM unnest(v) AS u
        WHERE cardinality(u.positions) = 2 AND NOT (u.weights && '{A,B}'::text[])
    ))
$$;
CREATE INDEX IF NOT EXISTS article_search_doc_twice ON articles_search_doc
    USING gin (articles_twice_vector(search_vector)) WITH (fastupdate = off);
"""

PG_TWICE_UNINSTALL = r"""
DROP INDEX IF EXISTS article_search_doc_twice;
DROP FUNCTION IF EXISTS articles_twice_vector(tsvector);
"""


def twice_install(schema_editor) -> None:
    """Migration 0022 forwards (PostgreSQL only): the twice-mentioned lexemes' index."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TWICE_INSTALL)


def twice_uninstall(schema_editor) -> None:
    """Migration 0022 backwards."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TWICE_UNINSTALL)


def install(schema_editor) -> None:
    """Forwards (PostgreSQL only): the tag ids on the search row and the cheaper pair function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INSTALL)


def uninstall(schema_editor) -> None:
    """Backwards: the link trigger and pair function of ``_search_v1``, no tag ids."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UNINSTALL)
