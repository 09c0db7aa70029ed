"""The search index's triggers as migration 0016_highlights_note_reading_events wrote them: the person's note
on an article (``Article.note``) joins the text a search finds. A frozen copy for that migration only: never
edit it and never import it from live code (the live schema is ``articles.search.schema``).

PostgreSQL: the article trigger passes ``concat_ws(' ', search_tags, note)`` where it passed the tags, so the
note is weighted B beside the author, site and tags (and stays in the compact ranking vector and the heavy
tier, which keep every B lexeme), and re-indexes when the note changes. ``PG_TRIGGER_V1`` is the trigger of
``_search_v1`` for the reverse migration. SQLite: the FTS5 ``meta`` column gains the note; the triggers are
dropped and created again (``SQLITE_TRIGGERS_V1``: those of migration 0008, for the reverse). No row needs
re-indexing: the column is new and empty everywhere.
"""

from __future__ import annotations

PG_TRIGGER_V2 = r"""
CREATE OR REPLACE FUNCTION articles_article_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v tsvector;
BEGIN
    IF TG_OP = 'INSERT' OR NEW.search_rank_vector IS NULL
       OR NEW.title IS DISTINCT FROM OLD.title
       OR NEW.author IS DISTINCT FROM OLD.author
       OR NEW.site_name IS DISTINCT FROM OLD.site_name
       OR NEW.content_text IS DISTINCT FROM OLD.content_text
       OR NEW.search_config IS DISTINCT FROM OLD.search_config
       OR NEW.search_tags IS DISTINCT FROM OLD.search_tags
       OR NEW.note IS DISTINCT FROM OLD.note THEN
        v := articles_search_vector(NEW.search_config::regconfig, NEW.title, NEW.author, NEW.site_name,
                                    concat_ws(' ', NEW.search_tags, NEW.note), NEW.content_text);
        NEW.search_rank_vector := articles_rank_vector(v);
        INSERT INTO articles_search_doc AS d
            (article_id, user_id, deleted, is_read, is_archived, is_favorite, saved_at, site, search_vector)
        VALUES (NEW.id, NEW.user_id, NEW.deleted_at IS NOT NULL, NEW.read_at IS NOT NULL, NEW.is_archived,
                NEW.is_favorite, NEW.saved_at, articles_site_text(NEW.site_name, NEW.url, NEW.final_url), v)
        ON CONFLICT (article_id) DO UPDATE SET
            user_id = EXCLUDED.user_id, deleted = EXCLUDED.deleted, is_read = EXCLUDED.is_read,
            is_archived = EXCLUDED.is_archived, is_favorite = EXCLUDED.is_favorite,
            saved_at = EXCLUDED.saved_at, site = EXCLUDED.site, search_vector = EXCLUDED.search_vector;
    ELSIF NEW.user_id IS DISTINCT FROM OLD.user_id
       OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at
       OR NEW.read_at IS DISTINCT FROM OLD.read_at
       OR NEW.is_archived IS DISTINCT FROM OLD.is_archived
       OR NEW.is_favorite IS DISTINCT FROM OLD.is_favorite
       OR NEW.saved_at IS DISTINCT FROM OLD.saved_at
       OR NEW.url IS DISTINCT FROM OLD.url
       OR NEW.final_url IS DISTINCT FROM OLD.final_url THEN
        UPDATE articles_search_doc SET
            user_id = NEW.user_id, deleted = NEW.deleted_at IS NOT NULL, is_read = NEW.read_at IS NOT NULL,
            is_archived = NEW.is_archived, is_favorite = NEW.is_favorite, saved_at = NEW.saved_at,
            site = articles_site_text(NEW.site_name, NEW.url, NEW.final_url)
        WHERE article_id = NEW.id;
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS articles_article_search_insert ON articles_article;
CREATE TRIGGER articles_article_search_insert BEFORE INSERT ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_trigger();
DROP TRIGGER IF EXISTS articles_article_search_update ON articles_article;
CREATE TRIGGER articles_article_search_update
    BEFORE UPDATE OF title, author, site_name, content_text, search_config, search_tags, search_rank_vector,
                     user_id, deleted_at, read_at, is_archived, is_favorite, saved_at, url, final_url, note
    ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_article_search_trigger();
"""

PG_TRIGGER_V1 = r"""
CREATE OR REPLACE FUNCTION articles_article_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v tsvector;
BEGIN
    IF TG_OP = 'INSERT' OR NEW.search_rank_vector IS NULL
       OR NEW.title IS DISTINCT FROM OLD.title
       OR NEW.author IS DISTINCT FROM OLD.author
       OR NEW.site_name IS DISTINCT FROM OLD.site_name
       OR NEW.content_text IS DISTINCT FROM OLD.content_text
       OR NEW.search_config IS DISTINCT FROM OLD.search_config
       OR NEW.search_tags IS DISTINCT FROM OLD.search_tags THEN
        v := articles_search_vector(NEW.search_config::regconfig, NEW.title, NEW.author, NEW.site_name,
                                    NEW.search_tags, NEW.content_text);
        NEW.search_rank_vector := articles_rank_vector(v);
        INSERT INTO articles_search_doc AS d
            (article_id, user_id, deleted, is_read, is_archived, is_favorite, saved_at, site, search_vector)
        VALUES (NEW.id, NEW.user_id, NEW.deleted_at IS NOT NULL, NEW.read_at IS NOT NULL, NEW.is_archived,
                NEW.is_favorite, NEW.saved_at, articles_site_text(NEW.site_name, NEW.url, NEW.final_url), v)
        ON CONFLICT (article_id) DO UPDATE SET
            user_id = EXCLUDED.user_id, deleted = EXCLUDED.deleted, is_read = EXCLUDED.is_read,
            is_archived = EXCLUDED.is_archived, is_favorite = EXCLUDED.is_favorite,
            saved_at = EXCLUDED.saved_at, site = EXCLUDED.site, search_vector = EXCLUDED.search_vector;
    ELSIF NEW.user_id IS DISTINCT FROM OLD.user_id
       OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at
       OR NEW.read_at IS DISTINCT FROM OLD.read_at
       OR NEW.is_archived IS DISTINCT FROM OLD.is_archived
       OR NEW.is_favorite IS DISTINCT FROM OLD.is_favorite
       OR NEW.saved_at IS DISTINCT FROM OLD.saved_at
       OR NEW.url IS DISTINCT FROM OLD.url
       OR NEW.final_url IS DISTINCT FROM OLD.final_url THEN
        UPDATE articles_search_doc SET
            user_id = NEW.user_id, deleted = NEW.deleted_at IS NOT NULL, is_read = NEW.read_at IS NOT NULL,
            is_archived = NEW.is_archived, is_favorite = NEW.is_favorite, saved_at = NEW.saved_at,
            site = articles_site_text(NEW.site_name, NEW.url, NEW.final_url)
        WHERE article_id = NEW.id;
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS articles_article_search_insert ON articles_article;
CREATE TRIGGER articles_article_search_insert BEFORE INSERT ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_trigger();
DROP TRIGGER IF EXISTS articles_article_search_update ON articles_article;
CREATE TRIGGER articles_article_search_update
    BEFORE UPDATE OF title, author, site_name, content_text, search_config, search_tags, search_rank_vector,
                     user_id, deleted_at, read_at, is_archived, is_favorite, saved_at, url, final_url
    ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_article_search_trigger();
"""

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

SQLITE_TRIGGERS_V2 = [
    "CREATE TRIGGER IF NOT EXISTS articles_search_ai AFTER INSERT ON articles_article BEGIN\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '') || ' ' || coalesce(new.note, '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_au\n        AFTER UPDATE OF title, author, site_name, content_text, search_config, note ON articles_article BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '') || ' ' || coalesce(new.note, '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_owner\n        AFTER UPDATE OF user_id, deleted_at ON articles_article\n        WHEN old.user_id IS NOT new.user_id OR (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '') || ' ' || coalesce(new.note, '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_ad AFTER DELETE ON articles_article BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_ai AFTER INSERT ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '') || ' ' || coalesce(a.note, '')) FROM articles_article a WHERE a.id = new.article_id) WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_ad AFTER DELETE ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '') || ' ' || coalesce(a.note, '')) FROM articles_article a WHERE a.id = old.article_id) WHERE rowid = old.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_au AFTER UPDATE ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '') || ' ' || coalesce(a.note, '')) FROM articles_article a WHERE a.id = old.article_id) WHERE rowid = old.article_id;\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '') || ' ' || coalesce(a.note, '')) FROM articles_article a WHERE a.id = new.article_id) WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tag_rename AFTER UPDATE OF name ON articles_tag BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '') || ' ' || coalesce(a.note, '')) FROM articles_article a WHERE a.id = articles_search.rowid)\n        WHERE rowid IN (SELECT article_id FROM articles_article_tags WHERE tag_id = new.id);\n    END",
]

SQLITE_TRIGGERS_V1 = [
    "CREATE TRIGGER IF NOT EXISTS articles_search_ai AFTER INSERT ON articles_article BEGIN\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_au\n        AFTER UPDATE OF title, author, site_name, content_text, search_config ON articles_article BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_owner\n        AFTER UPDATE OF user_id, deleted_at ON articles_article\n        WHEN old.user_id IS NOT new.user_id OR (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_ad AFTER DELETE ON articles_article BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_ai AFTER INSERT ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = new.article_id) WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_ad AFTER DELETE ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = old.article_id) WHERE rowid = old.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_au AFTER UPDATE ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = old.article_id) WHERE rowid = old.article_id;\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = new.article_id) WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tag_rename AFTER UPDATE OF name ON articles_tag BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = articles_search.rowid)\n        WHERE rowid IN (SELECT article_id FROM articles_article_tags WHERE tag_id = new.id);\n    END",
]


def _sqlite_triggers(cursor, triggers: list[str]) -> None:
    for name in SQLITE_TRIGGER_NAMES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_search'")
    if cursor.fetchone() is None:
        return  # no search table: sqlite_ensure builds it after migrate
    for sql in triggers:
        cursor.execute(sql)


def install(schema_editor) -> None:
    """Forwards: the note in the search text on either engine."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(PG_TRIGGER_V2)
        elif schema_editor.connection.vendor == "sqlite":
            _sqlite_triggers(cursor, SQLITE_TRIGGERS_V2)


def uninstall(schema_editor) -> None:
    """Backwards: the triggers of _search_v1 (PostgreSQL) and migration 0008 (SQLite)."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(PG_TRIGGER_V1)
        elif schema_editor.connection.vendor == "sqlite":
            _sqlite_triggers(cursor, SQLITE_TRIGGERS_V1)
