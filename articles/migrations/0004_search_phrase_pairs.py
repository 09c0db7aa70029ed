from django.db import migrations

from articles import search_schema


def install(apps, schema_editor):
    search_schema.phrase_install(schema_editor)


def uninstall(apps, schema_editor):
    search_schema.phrase_uninstall(schema_editor)


class Migration(migrations.Migration):
    """The phrase-pair index on PostgreSQL (articles.search_schema.PG_PHRASE_INSTALL)."""

    dependencies = [
        ("articles", "0003_merge_0002_imports_0002_library_0002_search"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
