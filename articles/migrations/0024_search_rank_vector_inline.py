"""PostgreSQL: the compact ranking vector kept in the article row (``STORAGE MAIN``), and the vectors that
had been moved to the TOAST table written back (SQL frozen in ``articles/migrations/_search_v4.py``). SQLite:
nothing."""

from django.db import migrations

from articles.migrations import _search_v4 as search_schema


def forwards(apps, schema_editor):
    search_schema.inline_install(schema_editor)


def backwards(apps, schema_editor):
    search_schema.inline_uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_search_boundary_pairs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
