"""DRF authentication with Folio's hashed personal tokens: ``Authorization: Token <key>``."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..tokens import api_token_authenticate


class TokenAuthentication(authentication.TokenAuthentication):
    """Looks the key up by its SHA-256 digest instead of DRF's plain-text token table."""

    def authenticate_credentials(self, key: str):
        token = api_token_authenticate(key)
        if token is None:
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
