"""The search index's database objects: what the migrations created and what the code relies on.

PostgreSQL (created by migrations 0002_search and 0004_search_phrase_pairs, whose SQL is frozen in
``articles/migrations/_search_v1.py``; only the database writes these objects, so they stay out of the model):

- ``articles_article.search_tags`` (text): the article's tag names, space-separated, kept by triggers on the
  article-tag link table and on tag rename;
- ``articles_search_doc`` (one narrow row per article): ``search_vector`` (tsvector: title weighted A;
  author, site name, tags and the person's note on the article B (the note since migration
  0016_highlights_note_reading_events, SQL frozen in ``_search_v2.py``); body C; parsed under the article's ``search_config``; stored out of line)
  and copies of the columns searches filter on most (user, deleted, read, archived, favorite, saved_at,
  and ``site``: the site name and the hosts of the URLs, lower-cased), with a GIN index on the vector,
  and ``tag_ids`` (bigint[], sorted: the article's tag ids, kept by the link table's statement triggers,
  GIN index ``article_search_doc_tags``; migration 0021_search_tag_ids, SQL frozen in ``_search_v3.py``);
- ``articles_article.search_rank_vector`` (tsvector): the compact ranking vector, the full vector less the
  lexemes that occur fewer than 3 times and only in the body (kept lexemes keep all their positions),
  inline, with its own GIN index, and the GIN expression index of its heavy tier
  (``articles_heavy_vector``: title/author/site/tag lexemes and body lexemes seen at least 6 times);
- the phrase-pair index ``article_search_doc_pairs``: a GIN expression index over every pair of adjacent
  lexemes of the vector (``articles_phrase_pairs``);
- the twice index ``article_search_doc_twice`` (migration 0022, SQL in ``_search_v3.py``): a GIN
  expression index of the body lexemes an article holds exactly twice (``articles_twice_vector``);
- the boundary index ``article_search_doc_boundary`` (migration 0023, SQL in ``_search_v4.py``): a GIN
  expression index of the lexeme pair straddling the end of the title and metadata and the start of the
  body, when adjacent (``articles_boundary_pairs``);
- the pairs-held-twice index ``article_search_doc_pairs_twice`` (migration 0025, SQL in
  ``_search_v4.py``): a GIN expression index of the adjacent lexeme pairs an article holds at least twice
  (``articles_phrase_pairs_twice``);
- since migration 0024 the compact ranking vector has ``STORAGE MAIN``: it stays in the article row unless
  the row cannot fit in a page.

A BEFORE trigger on the article recomputes the vectors when title, author, site name, body, config or tags
change, and copies the filter columns otherwise, so every writer (ORM save, ``update()``, raw SQL, bulk
import) keeps the index in step; statement triggers handle delete and truncate. The GIN indexes have
fastupdate off, so a search never scans a pending list. Migration 0009 adds ``article_search_title``, the
GIN expression index of the title's lexemes (articles.search._postgres.TITLE_VECTOR).

SQLite (this module's ``SQLITE_*``, created by migration 0008_sqlite_search_languages and given the note by
0016_highlights_note_reading_events, each carrying its own copy): an FTS5 table
``articles_search(title, meta, body, owner)`` with rowid = article id (``meta``: author, site name, tag
names and the person's note on the article), whose columns
hold each article's words as the stems of its own language (``folio_search_text(config, text)``, the SQL
function ``sqlite_register`` gives every SQLite connection: articles.search._text), kept in step by
triggers on the article table, the article-tag link table and tag rename. It holds the articles that are
not deleted, and ``owner`` holds one token, ``u<user id>``, so that a search restricts the match set to
the user's articles inside FTS5 (``… AND owner : "u7"``) instead of joining every match to the wide
article row. ``sqlite_ensure`` runs after every ``migrate`` (apps.py) because SQLite drops a table's
triggers when Django remakes the table.
"""

from __future__ import annotations

from . import _text

#: FTS5 tokenizer of the stemmed text: words of letters, digits and marks (articles.search._text already
#: lower-cased, stemmed and folded them; the private-use character of a stop word is a word too).
SQLITE_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"

_SQLITE_META = (
    "coalesce({a}.author, '') || ' ' || coalesce({a}.site_name, '') || ' ' || coalesce((SELECT"
    " group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id"
    " WHERE at.article_id = {a}.id), '') || ' ' || coalesce({a}.note, '')"
)


def _sqlite_meta_for(article_id_sql: str) -> str:
    return (
        f"(SELECT folio_search_text(a.search_config, {_SQLITE_META.format(a='a')}) "
        f"FROM articles_article a WHERE a.id = {article_id_sql})"
    )


SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_search "
    f'USING fts5(title, meta, body, owner, tokenize = "{SQLITE_TOKENIZE}")'
)

#: The article ``new`` as a row of the index, if it is not deleted; ``owner`` is ``u<user id>``.
_SQLITE_ROW = (
    "INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, "
    "folio_search_text(new.search_config, new.title), "
    f"folio_search_text(new.search_config, {_SQLITE_META.format(a='new')}), "
    "folio_search_text(new.search_config, new.content_text), 'u' || new.user_id "
    "WHERE new.deleted_at IS NULL;"
)

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_ai AFTER INSERT ON articles_article BEGIN
        {_SQLITE_ROW}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_au
        AFTER UPDATE OF title, author, site_name, content_text, search_config, note ON articles_article BEGIN
        DELETE FROM articles_search WHERE rowid = old.id;
        {_SQLITE_ROW}
    END""",
    # Deleting an article takes it out of the index, restoring puts it back.
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_owner
        AFTER UPDATE OF user_id, deleted_at ON articles_article
        WHEN old.user_id IS NOT new.user_id OR (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN
        DELETE FROM articles_search WHERE rowid = old.id;
        {_SQLITE_ROW}
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_search_ad AFTER DELETE ON articles_article BEGIN
        DELETE FROM articles_search WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_tags_ai AFTER INSERT ON articles_article_tags BEGIN
        UPDATE articles_search SET meta = {_sqlite_meta_for("new.article_id")} WHERE rowid = new.article_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_tags_ad AFTER DELETE ON articles_article_tags BEGIN
        UPDATE articles_search SET meta = {_sqlite_meta_for("old.article_id")} WHERE rowid = old.article_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_tags_au AFTER UPDATE ON articles_article_tags BEGIN
        UPDATE articles_search SET meta = {_sqlite_meta_for("old.article_id")} WHERE rowid = old.article_id;
        UPDATE articles_search SET meta = {_sqlite_meta_for("new.article_id")} WHERE rowid = new.article_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_search_tag_rename AFTER UPDATE OF name ON articles_tag BEGIN
        UPDATE articles_search SET meta = {_sqlite_meta_for("articles_search.rowid")}
        WHERE rowid IN (SELECT article_id FROM articles_article_tags WHERE tag_id = new.id);
    END""",
]

SQLITE_TRIGGER_NAMES = [
    "articles_search_ai",
    "articles_search_au",
    "articles_search_owner",
    "articles_search_ad",
    "articles_search_tags_ai",
    "articles_search_tags_ad",
    "articles_search_tags_au",
    "articles_search_tag_rename",
]

#: Every article column a search filter reads, keyed by id: joined to the FTS5 matches (``INDEXED BY``) for
#: queries with filters, it spares reading the wide article row, whose read_at, saved_at and deleted_at
#: lie past the text (overflow pages). For "is:unread" with a word in 31,000 of 100,000 articles, the
#: join took 160 ms through the table and 25 ms through this index (about 30 MB at 100,000 articles).
SQLITE_FILTER_INDEX = (
    "CREATE INDEX IF NOT EXISTS article_search_filter ON articles_article "
    "(id, user_id, deleted_at, read_at, is_archived, is_favorite, saved_at, language, site_name, author, url, "
    "final_url)"
)

SQLITE_REBUILD = [
    "DELETE FROM articles_search",
    "INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT a.id, "
    "folio_search_text(a.search_config, a.title), "
    f"folio_search_text(a.search_config, {_SQLITE_META.format(a='a')}), "
    "folio_search_text(a.search_config, a.content_text), 'u' || a.user_id "
    "FROM articles_article a WHERE a.deleted_at IS NULL",
    # One b-tree per term instead of the segments left by row-by-row inserts.
    "INSERT INTO articles_search(articles_search) VALUES ('optimize')",
]


def sqlite_register(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: give a new SQLite connection ``folio_search_text(config, text)``,
    the stemmed words the FTS5 triggers write (articles.search._text.index_text)."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(
            "folio_search_text", 2, _text.search_text_function, deterministic=True
        )


def sqlite_install(cursor, *, rebuild: bool = False) -> None:
    """Create the FTS5 table, its triggers and the filter index if missing; with ``rebuild``, re-fill the
    table from the articles and optimize it."""
    cursor.execute(SQLITE_TABLE)
    cursor.execute(SQLITE_FILTER_INDEX)
    for sql in SQLITE_TRIGGERS:
        cursor.execute(sql)
    if rebuild:
        for sql in SQLITE_REBUILD:
            cursor.execute(sql)


def sqlite_optimize(cursor) -> None:
    """Merge the FTS5 index into one b-tree per term (after a bulk load; a few seconds per 10,000 articles)."""
    cursor.execute("INSERT INTO articles_search(articles_search) VALUES ('optimize')")


def sqlite_is_current(cursor) -> bool:
    """True when the FTS5 table exists and stores stems (migration 0008 on)."""
    cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_search'")
    row = cursor.fetchone()
    return bool(row) and "categories" in row[0]


def sqlite_ensure(using: str = "default", **kwargs) -> None:
    """After ``migrate`` on SQLite: if any search trigger is missing (a remade table loses its triggers and
    the indexes Django does not know), create the missing ones and re-fill the FTS table; put the filter
    index back. Does nothing before migration 0008 or on PostgreSQL."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
        if not sqlite_is_current(cursor):
            return  # before migration 0008, which builds the table
        cursor.execute(SQLITE_FILTER_INDEX)
        if all(name in names for name in SQLITE_TRIGGER_NAMES):
            return
        sqlite_install(cursor, rebuild=True)
