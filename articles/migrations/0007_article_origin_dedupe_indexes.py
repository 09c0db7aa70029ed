"""``Article.origin`` (the face an article was saved through) and ``Article.stated_fields`` (metadata that
processing never overwrites), and the indexes that keep the duplicate check of every save flat in library
size: partial (user, final_key) and (user, canonical_key) indexes (issue 20).

SQLite rebuilds a table for a NOT NULL AddField, which the FTS5 triggers on the article table refuse (a
trigger names the table being renamed); a column with a constant default needs no rebuild there, so this
migration adds the two columns with ``ALTER TABLE ADD COLUMN`` on SQLite and through the schema editor
elsewhere. Both keep a database default, so rows written by raw SQL (benchmarks' fast builders) stay
valid. Existing rows get their origin from ``source``.
"""

from django.db import migrations, models

ORIGIN_CHOICES = [
    ("form", "Save form"),
    ("bookmarklet", "Bookmarklet"),
    ("api", "Folio API"),
    ("app", "App (wallabag API)"),
    ("share", "Share target"),
    ("import", "Import"),
    ("feed", "Feed"),
    ("email", "E-mail"),
    ("sync", "Offline sync"),
]
ORIGIN_HELP = "The face the article was first saved through."
STATED_HELP = (
    "Metadata fields the person or the saving client set (a title edit, stated metadata); "
    "processing never overwrites them."
)


def _origin_field():
    return models.CharField(
        choices=ORIGIN_CHOICES, default="form", db_default="form", help_text=ORIGIN_HELP, max_length=12
    )


def _stated_field():
    return models.JSONField(
        blank=True, default=list, db_default=models.Value([], models.JSONField()), help_text=STATED_HELP
    )


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'ALTER TABLE "articles_article" ADD COLUMN "origin" varchar(12) DEFAULT \'form\' NOT NULL'
        )
        schema_editor.execute(
            'ALTER TABLE "articles_article" ADD COLUMN "stated_fields" text DEFAULT \'[]\' NOT NULL '
            'CHECK ((JSON_VALID("stated_fields") OR "stated_fields" IS NULL))'
        )
        return
    article = apps.get_model("articles", "Article")
    for name, field in (("origin", _origin_field()), ("stated_fields", _stated_field())):
        field.set_attributes_from_name(name)
        field.model = article  # the database default is compiled against the field's model
        schema_editor.add_field(article, field)


def drop_columns(apps, schema_editor):
    for name in ("stated_fields", "origin"):
        schema_editor.execute(f'ALTER TABLE "articles_article" DROP COLUMN "{name}"')


def origin_from_source(apps, schema_editor):
    """Existing rows: a page the browser sent came through the bookmarklet (or the API's ``html``, taken as
    the bookmarklet), an imported one through an import; the rest keeps the default, the save form."""
    article = apps.get_model("articles", "Article")
    article.objects.filter(source="browser").update(origin="bookmarklet")
    article.objects.filter(source="import").update(origin="import")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_sqlite_search_owner"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="article", name="origin", field=_origin_field()),
                migrations.AddField(model_name="article", name="stated_fields", field=_stated_field()),
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        migrations.RunPython(origin_from_source, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("final_key", ""), _negated=True),
                fields=["user", "final_key"],
                name="article_user_final_key",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("canonical_key", ""), _negated=True),
                fields=["user", "canonical_key"],
                name="article_user_canonical_key",
            ),
        ),
    ]
