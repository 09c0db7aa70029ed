"""Article.text_direction: "ltr" or "rtl", stored from the extraction (bug-log A53).

On SQLite, Django adds a NOT NULL column by rebuilding the table, which breaks the FTS5 triggers that
name ``articles_article``; a plain ``ALTER TABLE ... ADD COLUMN ... DEFAULT 'ltr'`` adds it in place. The
column keeps its database default on both engines, so rows inserted by SQL get "ltr".
"""

from django.db import migrations, models

FIELD = models.CharField(
    choices=[("ltr", "left to right"), ("rtl", "right to left")],
    default="ltr",
    db_default="ltr",
    help_text="Direction of the article's script (the page's dir, else its language's).",
    max_length=3,
)


def _field(model) -> models.CharField:
    """The field as it will be, bound to ``model`` (the historical model does not have it yet)."""
    field = FIELD.clone()
    field.set_attributes_from_name("text_direction")
    field.model = model
    return field


def add_column(apps, schema_editor):
    model = apps.get_model("articles", "Article")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE articles_article ADD COLUMN text_direction varchar(3) NOT NULL DEFAULT 'ltr'"
        )
    else:
        schema_editor.add_field(model, _field(model))


def remove_column(apps, schema_editor):
    model = apps.get_model("articles", "Article")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE articles_article DROP COLUMN text_direction")
    else:
        schema_editor.remove_field(model, _field(model))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_search_title_author_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="article", name="text_direction", field=FIELD)],
            database_operations=[migrations.RunPython(add_column, remove_column)],
        ),
    ]
