"""System checks that turn dangerous configurations into start-up errors (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register("folio", deploy=True)
def check_fetch_allowed_networks(app_configs, **kwargs):
    """Fetching private addresses must not be enabled on a production (DEBUG off, HTTPS) deployment."""
    if settings.FETCH_ALLOWED_NETWORKS and settings.FOLIO_HTTPS:
        return [
            Warning(
                "FETCH_ALLOWED_NETWORKS lets users make Folio fetch private or local addresses.",
                hint="Leave it empty in production unless you trust every user with your network.",
                id="folio.W001",
            )
        ]
    return []


@register("folio")
def check_broker(app_configs, **kwargs):
    """The broker URL must use a transport Folio supports."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "filesystem://", "unix://", "sentinel://")):
        return [
            Error(
                f"Unsupported broker URL {url.split(':', 1)[0]}://",
                hint="Use REDIS_URL=redis://…",
                id="folio.E001",
            )
        ]
    return []
