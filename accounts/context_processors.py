"""Template context for every page: which ways of signing in this Folio offers (the log-in page's links)."""

from django.conf import settings
from django.http import HttpRequest


def sign_in(_request: HttpRequest) -> dict:
    """``sign_in``: ``open_signup`` (FOLIO_OPEN_SIGNUP), ``oidc`` (an OIDC provider is configured), ``oidc_name`` and
    ``password`` (FOLIO_PASSWORD_LOGIN). No query."""
    return {
        "sign_in": {
            "open_signup": settings.FOLIO_OPEN_SIGNUP,
            "oidc": bool(settings.OIDC_RP_CLIENT_ID),
            "oidc_name": settings.FOLIO_OIDC_PROVIDER_NAME,
            "password": settings.FOLIO_PASSWORD_LOGIN,
        }
    }
