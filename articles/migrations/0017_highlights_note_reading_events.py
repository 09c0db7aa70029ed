"""The note on an article (``Article.note``, ``note_updated_at``), searchable on both engines (the search
triggers of ``_search_v2``), and ``ReadingEvent``, the reading statistics' rows (issue 17).

SQLite rebuilds a table for an AddField with a database default, which the FTS5 triggers on the article
table refuse (see 0007, 0013); columns with a constant default or none need no rebuild there, so SQLite
gets ``ALTER TABLE ADD COLUMN`` and the other engines the schema editor.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from articles.migrations import _search_v2

NOTE_HELP = "The person's note on the article (searchable)."


def _note():
    return models.TextField(blank=True, db_default="", default="", help_text=NOTE_HELP)


def _note_updated_at():
    return models.DateTimeField(blank=True, null=True)


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "articles_article" ADD COLUMN "note" text DEFAULT \'\' NOT NULL')
        schema_editor.execute('ALTER TABLE "articles_article" ADD COLUMN "note_updated_at" datetime NULL')
        return
    article = apps.get_model("articles", "Article")
    for name, field in (("note", _note()), ("note_updated_at", _note_updated_at())):
        field.set_attributes_from_name(name)
        field.model = article  # the database default is compiled against the field's model
        schema_editor.add_field(article, field)


def drop_columns(apps, schema_editor):
    schema_editor.execute('ALTER TABLE "articles_article" DROP COLUMN "note_updated_at"')
    schema_editor.execute('ALTER TABLE "articles_article" DROP COLUMN "note"')


def search_note_install(apps, schema_editor):
    _search_v2.install(schema_editor)


def search_note_uninstall(apps, schema_editor):
    _search_v2.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_shape_export_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="article", name="note", field=_note()),
                migrations.AddField(model_name="article", name="note_updated_at", field=_note_updated_at()),
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        migrations.RunPython(search_note_install, search_note_uninstall),
        migrations.CreateModel(
            name="ReadingEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("percent", models.FloatField(default=0.0)),
                (
                    "high",
                    models.FloatField(default=0.0, help_text="The furthest position reached that day, 0-100."),
                ),
                ("words", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reading_events",
                        to="articles.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reading_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["user", "day"], name="reading_event_user_day")],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "day"), name="reading_event_article_day")
                ],
            },
        ),
    ]
