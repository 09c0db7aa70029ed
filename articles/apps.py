"""App configuration for Folio's single domain app."""

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """The ``articles`` app: saving, fetching, extraction, reading. No signal wiring for domain logic."""

    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
