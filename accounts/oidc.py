"""Sign-in with OpenID Connect (issue 16 item 2) through mozilla-django-oidc, configured from the
environment (``OIDC_RP_CLIENT_ID`` and the provider's endpoints; ``reader/settings.py``).

Folio's backend adds what the library leaves to the site: the ID token's ``iss`` must be
``FOLIO_OIDC_ISSUER`` and its ``aud`` must hold Folio's client id (OIDC Core 1.0 §3.1.3.7, items 2-3), the
UserInfo ``sub`` must be the ID token's (§5.3.2); the person is found by the claim
``FOLIO_OIDC_USERNAME_CLAIM`` (``preferred_username`` by default), created on first sign-in when
``FOLIO_OIDC_CREATE_USERS`` is on (with no usable password), and is an administrator exactly while the
claim ``FOLIO_OIDC_GROUPS_CLAIM`` holds ``FOLIO_OIDC_ADMIN_GROUP`` (when that is set). A refused token
(bad signature, wrong issuer or audience, expired) ends in the log-in page with a message, never a 500.
When no client id is set the backend and the two routes are off (404).
"""

from __future__ import annotations

import logging

import jwt
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .services import people

logger = logging.getLogger(__name__)


def oidc_configured() -> bool:
    """True when an OIDC provider is configured (``OIDC_RP_CLIENT_ID`` set)."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class FolioOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with Folio's checks and user mapping (module docstring)."""

    def __init__(self, *args, **kwargs):
        self.enabled = oidc_configured()
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        """The person the provider vouches for, or None (also for any refused token, logged)."""
        if not self.enabled:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            logger.warning("OIDC sign-in refused: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        """The ID token's claims after the library's checks (signature, nonce, expiry) and Folio's
        (issuer, audience). Raises SuspiciousOperation."""
        payload = super().verify_token(token, **kwargs)
        issuer = settings.FOLIO_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} is not {issuer!r}.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is not meant for this client.")
        self._id_token_sub = payload.get("sub")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """UserInfo claims merged over the ID token's; the two ``sub`` must match."""
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("UserInfo is about another subject than the ID token.")
        return {**payload, **claims}

    def verify_claims(self, claims) -> bool:
        """The username claim must be present and non-blank."""
        return bool(str(claims.get(settings.FOLIO_OIDC_USERNAME_CLAIM, "")).strip())

    def _is_admin(self, claims) -> bool | None:
        group = settings.FOLIO_OIDC_ADMIN_GROUP
        if not group:
            return None
        groups = claims.get(settings.FOLIO_OIDC_GROUPS_CLAIM) or []
        return group in (groups if isinstance(groups, list) else [groups])

    def filter_users_by_claims(self, claims):
        """The person whose user name is the username claim (a QuerySet of at most one)."""
        username = str(claims.get(settings.FOLIO_OIDC_USERNAME_CLAIM, "")).strip()
        return self.UserModel.objects.filter(username=username)

    def create_user(self, claims):
        """First sign-in: a new person (or None when creating is off), ``people.oidc_user_sync``."""
        return people.oidc_user_sync(
            user=None,
            username=str(claims[settings.FOLIO_OIDC_USERNAME_CLAIM]).strip(),
            email=str(claims.get("email") or ""),
            is_admin=self._is_admin(claims),
        )

    def update_user(self, user, claims):
        """Later sign-ins: e-mail and administrator flags from the claims, ``people.oidc_user_sync``."""
        return people.oidc_user_sync(
            user=user,
            username=user.get_username(),
            email=str(claims.get("email") or ""),
            is_admin=self._is_admin(claims),
        )


class FolioOIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back to Folio; a refusal is told on the log-in page."""

    def login_failure(self):
        from django.contrib import messages

        messages.error(
            self.request,
            gettext(
                "Signing in with your identity provider did not work. Try again or ask your administrator."
            ),
        )
        return super().login_failure()


def oidc_authenticate_view(request: HttpRequest) -> HttpResponse:
    """``/oidc/authenticate/``: off (404) unless an OIDC provider is configured."""
    if not oidc_configured():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationRequestView.as_view()(request)


def oidc_callback_view(request: HttpRequest) -> HttpResponse:
    """``/oidc/callback/``: off (404) unless an OIDC provider is configured."""
    if not oidc_configured():
        raise Http404("Single sign-on is not configured.")
    return FolioOIDCCallbackView.as_view()(request)
