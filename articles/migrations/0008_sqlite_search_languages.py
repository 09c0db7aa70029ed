"""SQLite search in each article's language: the FTS5 table is rebuilt to hold stems written by
``folio_search_text(config, text)`` (the SQL function every SQLite connection gets from the app,
articles.search.schema.sqlite_register), instead of Porter-stemmed English for every article.

The table and its triggers are dropped, created again and re-filled from the articles, then optimized; the
vocabulary table of the old prefix expansion goes. The SQL is a frozen copy of articles.search.schema as
this migration wrote it. Reverse: the table of migration 0006 (``_search_v1``). PostgreSQL: nothing.
"""

from django.db import migrations

from articles.migrations import _search_v1

TABLE = 'CREATE VIRTUAL TABLE IF NOT EXISTS articles_search USING fts5(title, meta, body, owner, tokenize = "unicode61 remove_diacritics 0 categories \'L* N* Co M*\'")'
FILTER_INDEX = 'CREATE INDEX IF NOT EXISTS article_search_filter ON articles_article (id, user_id, deleted_at, read_at, is_archived, is_favorite, saved_at, language, site_name, author, url, final_url)'
TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS articles_search_ai AFTER INSERT ON articles_article BEGIN\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_au\n        AFTER UPDATE OF title, author, site_name, content_text, search_config ON articles_article BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_owner\n        AFTER UPDATE OF user_id, deleted_at ON articles_article\n        WHEN old.user_id IS NOT new.user_id OR (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n        INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT new.id, folio_search_text(new.search_config, new.title), folio_search_text(new.search_config, coalesce(new.author, '') || ' ' || coalesce(new.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = new.id), '')), folio_search_text(new.search_config, new.content_text), 'u' || new.user_id WHERE new.deleted_at IS NULL;\n    END",
    'CREATE TRIGGER IF NOT EXISTS articles_search_ad AFTER DELETE ON articles_article BEGIN\n        DELETE FROM articles_search WHERE rowid = old.id;\n    END',
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_ai AFTER INSERT ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = new.article_id) WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_ad AFTER DELETE ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = old.article_id) WHERE rowid = old.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tags_au AFTER UPDATE ON articles_article_tags BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = old.article_id) WHERE rowid = old.article_id;\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = new.article_id) WHERE rowid = new.article_id;\n    END",
    "CREATE TRIGGER IF NOT EXISTS articles_search_tag_rename AFTER UPDATE OF name ON articles_tag BEGIN\n        UPDATE articles_search SET meta = (SELECT folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')) FROM articles_article a WHERE a.id = articles_search.rowid)\n        WHERE rowid IN (SELECT article_id FROM articles_article_tags WHERE tag_id = new.id);\n    END",
]
TRIGGER_NAMES = [
    'articles_search_ai',
    'articles_search_au',
    'articles_search_owner',
    'articles_search_ad',
    'articles_search_tags_ai',
    'articles_search_tags_ad',
    'articles_search_tags_au',
    'articles_search_tag_rename',
]
REBUILD = [
    'DELETE FROM articles_search',
    "INSERT INTO articles_search(rowid, title, meta, body, owner) SELECT a.id, folio_search_text(a.search_config, a.title), folio_search_text(a.search_config, coalesce(a.author, '') || ' ' || coalesce(a.site_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')), folio_search_text(a.search_config, a.content_text), 'u' || a.user_id FROM articles_article a WHERE a.deleted_at IS NULL",
    "INSERT INTO articles_search(articles_search) VALUES ('optimize')",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS articles_search_vocab")
        cursor.execute("DROP TABLE IF EXISTS articles_search")
        cursor.execute(TABLE)
        cursor.execute(FILTER_INDEX)
        for sql in TRIGGERS:
            cursor.execute(sql)
        for sql in REBUILD:
            cursor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        _search_v1.sqlite_uninstall(cursor)
        _search_v1.sqlite_install(cursor, rebuild=True)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_origin_dedupe_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
