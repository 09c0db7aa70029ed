"""OAuth2 for the wallabag API, on django-oauth-toolkit (no hand-written OAuth).

wallabag (FOSOAuthServerBundle) differs from a plain RFC 6749 server in ways its clients rely on, and
Folio follows it:

- the token endpoint also answers ``GET`` with the parameters in the query string (wallabag-client asks
  for its token that way), and reads JSON bodies (KOReader posts ``application/json``) as well as form
  bodies;
- one client may use the ``password``, ``refresh_token`` and ``client_credentials`` grants (wallabag's
  clients allow them all); Folio's clients are registered for the password grant and this validator
  allows the other two;
- a password grant is accepted only for the client's own user (wallabag lets any user log in through any
  client; Folio's clients are personal, created on the settings page).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from oauth2_provider.oauth2_backends import OAuthLibCore, get_oauthlib_core
from oauth2_provider.oauth2_validators import OAuth2Validator

#: Grants a Folio API client may use (wallabag's clients allow these).
ALLOWED_GRANTS = ("password", "refresh_token", "client_credentials")


class WallabagOAuth2Validator(OAuth2Validator):
    """django-oauth-toolkit's validator with wallabag's grants and per-user clients."""

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        """Allow ALLOWED_GRANTS for every client; a client_credentials token acts for the client's user
        (as wallabag's do)."""
        if grant_type not in ALLOWED_GRANTS:
            return False
        if grant_type == "client_credentials":
            request.user = request.client.user
        return True

    def save_bearer_token(self, token, request, *args, **kwargs):
        """Store the token; a client_credentials token keeps the client's user (django-oauth-toolkit stores
        such tokens without a user, which the wallabag API could not scope)."""
        if request.grant_type == "client_credentials":
            request.grant_type = "client_credentials+user"  # django-oauth-toolkit would clear request.user
            request.user = request.client.user
        return super().save_bearer_token(token, request, *args, **kwargs)

    def validate_user(self, username, password, client, request, *args, **kwargs):
        """The password grant: the user's password, and the client must be that user's."""
        if not super().validate_user(username, password, client, request, *args, **kwargs):
            return False
        return request.user.pk == client.user_id


class WallabagOAuthLibCore(OAuthLibCore):
    """Reads the token request's parameters from a form body, a JSON body or (GET) the query string."""

    def extract_body(self, request: HttpRequest):
        """The request's parameters as (name, value) pairs; the query string only for GET."""
        if request.method == "GET":
            return list(request.GET.items())
        if (request.content_type or "").startswith("application/json"):
            try:
                data = json.loads(request.body.decode("utf-8") or "{}")
            except (ValueError, UnicodeDecodeError):
                return []
            if not isinstance(data, dict):
                return []
            return [(str(k), "" if v is None else str(v)) for k, v in data.items()]
        return super().extract_body(request)

    def _extract_params(self, request: HttpRequest):
        uri, _method, body, headers = super()._extract_params(request)
        if request.method == "GET":
            # oauthlib's token endpoint takes a POST with the parameters in the body (and refuses them in
            # the query string); wallabag's GET token request is that request, its query moved to the body.
            uri = uri.split("?", 1)[0]
        return uri, "POST", body, headers


@csrf_exempt
@sensitive_variables("request")
def token_view(request: HttpRequest) -> HttpResponse:
    """``/oauth/v2/token`` (GET or POST): django-oauth-toolkit's token response (JSON with
    ``access_token``, ``expires_in`` 3600, ``token_type``, ``scope``, ``refresh_token``; errors as RFC 6749
    ``{"error", "error_description"}``, which is wallabag's shape too)."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    _url, headers, body, status = get_oauthlib_core().create_token_response(request)
    response = HttpResponse(content=body, status=status, content_type="application/json")
    for name, value in headers.items():
        if name.lower() != "content-type":
            response[name] = value
    return response
