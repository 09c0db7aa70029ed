"""App configuration of feed subscriptions."""

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """The ``feeds`` app: subscriptions, polling, OPML. Its faces call ``feeds.services``."""

    name = "feeds"
    default_auto_field = "django.db.models.BigAutoField"
