"""The person's app access: OAuth2 clients of the wallabag API (``compat/wallabag``), made with
django-oauth-toolkit's Application model.

A client belongs to one person; its secret is stored hashed (django-oauth-toolkit hashes
``client_secret`` on save) and shown once, at creation. Revoking a client deletes it, with every access
and refresh token it was given, so an app using it stops at its next request.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from ..limits import TOKEN_NAME_MAX_LENGTH


def oauth_client_create(*, user: AbstractBaseUser, name: str = "") -> tuple[object, str]:
    """Create an API client (OAuth2 application) of ``user`` named ``name`` (white space collapsed, cut
    to 100 characters; blank: "wallabag app"). Returns ``(application, client_secret)``: the secret is
    stored only as a hash and cannot be shown again; ``application.client_id`` is its public id.

    The application is "confidential" with the password grant; compat.wallabag.oauth also lets it use the
    refresh_token and client_credentials grants, as a wallabag client may (wallabag's clients allow them).
    """
    application_model = get_application_model()
    name = " ".join(str(name).split())[:TOKEN_NAME_MAX_LENGTH] or "wallabag app"
    secret = generate_client_secret()
    application = application_model.objects.create(
        user=user,
        name=name,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_PASSWORD,
        client_secret=secret,
        redirect_uris="",
        skip_authorization=True,
    )
    return application, secret


def oauth_client_revoke(*, user: AbstractBaseUser, pk: int) -> bool:
    """Delete the user's API client ``pk`` and its tokens (cascade). False when there is no such client
    among the user's."""
    deleted, _ = get_application_model().objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
