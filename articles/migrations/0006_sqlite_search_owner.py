"""SQLite: rebuild the FTS5 search table with its ``owner`` column; add its vocabulary table and the
``article_search_filter`` index (frozen in articles/migrations/_search_v1.py).

The table gains a column, which FTS5 cannot add in place: the table and its triggers are dropped, created
again and re-filled from the articles, then optimized (89 s for 100,000 articles). PostgreSQL: nothing.
The reverse leaves the new table and index, which the older code reads as well.
"""

from django.db import migrations

from articles.migrations import _search_v1 as search_schema


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        if search_schema.sqlite_has_owner(cursor):  # created by 0002 with the owner column already
            search_schema.sqlite_install(cursor)
            return
        search_schema.sqlite_uninstall(cursor)
        search_schema.sqlite_install(cursor, rebuild=True)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_live_saved_index"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
