"""PostgreSQL: the GIN expression index of the body lexemes each article holds exactly twice, which ranks a
rare word without reading vectors (SQL frozen in ``articles/migrations/_search_v3.py``). SQLite: nothing."""

from django.db import migrations

from articles.migrations import _search_v3 as search_schema


def forwards(apps, schema_editor):
    search_schema.twice_install(schema_editor)


def backwards(apps, schema_editor):
    search_schema.twice_uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_search_tag_ids"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
