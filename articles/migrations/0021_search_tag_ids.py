"""PostgreSQL: the tag ids on the search row with a GIN index, and a cheaper phrase-pair function (SQL frozen
in ``articles/migrations/_search_v3.py``). SQLite: nothing (``tag:`` reads the link table's index there)."""

from django.db import migrations

from articles.migrations import _search_v3 as search_schema


def forwards(apps, schema_editor):
    search_schema.install(schema_editor)


def backwards(apps, schema_editor):
    search_schema.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_search_site_trgm"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
