"""``Article.claimed_by``: ``host:pid:task`` of the worker process processing an article, so that a claim
whose process died is taken over at once (issue 21.8).

SQLite rebuilds a table for this AddField, which the FTS5 triggers on the article table refuse (see 0007);
a column with a constant default needs no rebuild there, so SQLite gets ``ALTER TABLE ADD COLUMN`` and the
other engines the schema editor. The database default keeps rows written by raw SQL valid.
"""

from django.db import migrations, models

HELP = "host:pid:task of the worker process processing it; a dead one is taken over at once."


def _field():
    return models.CharField(blank=True, db_default="", default="", help_text=HELP, max_length=200)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'ALTER TABLE "articles_article" ADD COLUMN "claimed_by" varchar(200) DEFAULT \'\' NOT NULL'
        )
        return
    article = apps.get_model("articles", "Article")
    field = _field()
    field.set_attributes_from_name("claimed_by")
    field.model = article  # the database default is compiled against the field's model
    schema_editor.add_field(article, field)


def drop_column(apps, schema_editor):
    schema_editor.execute('ALTER TABLE "articles_article" DROP COLUMN "claimed_by"')


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_hardening_import_started_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="article", name="claimed_by", field=_field())],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
