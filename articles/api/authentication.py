"""DRF authentication with Folio's hashed personal tokens: ``Authorization: Token <key>``."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..tokens import api_token_authenticate


class TokenAuthentication(authentication.TokenAuthentication):
    """Looks the key up by its SHA-256 digest instead of DRF's plain-text token table. Failed keys are
    counted per address by the login throttling (``accounts.throttling``): an address that keeps sending
    wrong keys is answered 429 for a growing while, before any key is looked up."""

    def authenticate(self, request):
        self._django_request = getattr(request, "_request", request)
        return super().authenticate(request)

    def authenticate_credentials(self, key: str):
        from accounts.throttling import token_failure_record, token_failure_wait, token_failures_recent

        request = self._django_request
        # One query in the usual case: the key is looked up only if the address has no recent failure
        # (issue 20). Otherwise the throttle decides first, as it always did: a locked-out address is
        # answered 429 whatever key it sends.
        recent = token_failures_recent(request)
        token = api_token_authenticate(key, unless=recent) if recent is not None else None
        if token is None:
            wait = token_failure_wait(request)
            if wait > 0:
                raise exceptions.Throttled(wait=wait, detail="Too many invalid API tokens from this address.")
            token = api_token_authenticate(key)  # held back by failures below the limit, or unknown
            if token is None:
                token_failure_record(request)
                raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI schema."""

    target_class = "articles.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Personal token, sent as "Token <key>".',
        }
