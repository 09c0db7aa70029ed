"""App configuration of ``compat``: the faces that speak other apps' protocols (the wallabag v2 API)."""

from django.apps import AppConfig


class CompatConfig(AppConfig):
    """``compat``: protocol translation only; every write goes through ``articles.services``."""

    name = "compat"
    default_auto_field = "django.db.models.BigAutoField"
