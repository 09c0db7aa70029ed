"""App configuration for Folio's single domain app."""

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """The ``articles`` app: saving, fetching, extraction, reading. No signal wiring for domain logic."""

    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers system checks)
        from .search.schema import sqlite_ensure, sqlite_register

        # SQLite's search triggers call folio_search_text(): every new SQLite connection gets it.
        connection_created.connect(sqlite_register, dispatch_uid="articles_search_sqlite_register")
        # SQLite drops a table's triggers when a migration remakes the table: put the search triggers back.
        post_migrate.connect(sqlite_ensure, sender=self, dispatch_uid="articles_search_sqlite_ensure")
