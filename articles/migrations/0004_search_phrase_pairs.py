from django.db import migrations

from articles.migrations import _search_v1 as search_schema


def install(apps, schema_editor):
    search_schema.phrase_install(schema_editor)


def uninstall(apps, schema_editor):
    search_schema.phrase_uninstall(schema_editor)


class Migration(migrations.Migration):
    """The phrase-pair index on PostgreSQL (PG_PHRASE_INSTALL, frozen in articles/migrations/_search_v1.py)."""

    dependencies = [
        ("articles", "0003_merge_0002_imports_0002_library_0002_search"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
