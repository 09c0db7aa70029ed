"""PostgreSQL: the GIN expression index of the lexeme pair straddling the title or metadata and the body,
which lets a two-word phrase be ranked without reading every match's vector (SQL frozen in
``articles/migrations/_search_v4.py``). SQLite: nothing (its title, metadata and body are separate columns,
so no phrase straddles them)."""

from django.db import migrations

from articles.migrations import _search_v4 as search_schema


def forwards(apps, schema_editor):
    search_schema.install(schema_editor)


def backwards(apps, schema_editor):
    search_schema.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_search_twice_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
