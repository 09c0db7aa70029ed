"""PostgreSQL: the GIN expression index of the phrase pairs each article holds at least twice, which ranks a
two-word phrase without reading every match's vector (SQL frozen in ``articles/migrations/_search_v4.py``).
SQLite: nothing."""

from django.db import migrations

from articles.migrations import _search_v4 as search_schema


def forwards(apps, schema_editor):
    search_schema.pairs_twice_install(schema_editor)


def backwards(apps, schema_editor):
    search_schema.pairs_twice_uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0024_search_rank_vector_inline"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
