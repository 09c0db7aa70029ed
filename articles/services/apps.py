"""The person's app access: OAuth2 clients of the wallabag API (``compat/wallabag``), made with
django-oauth-toolkit's Application model; the feed token of the Atom feeds; app passwords of the OPDS
catalog.

A client belongs to one person; its secret is stored hashed (django-oauth-toolkit hashes
``client_secret`` on save) and shown once, at creation. Revoking a client deletes it, with every access
and refresh token it was given, so an app using it stops at its next request.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from compat.models import AppPassword, FeedToken

from ..limits import TOKEN_NAME_MAX_LENGTH
from ..tokens import token_digest


def oauth_client_create(*, user: User, name: str = "") -> tuple[object, str]:
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


def oauth_client_revoke(*, user: User, pk: int) -> bool:
    """Delete the user's API client ``pk`` and its tokens (cascade). False when there is no such client
    among the user's."""
    deleted, _ = get_application_model().objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


# --- Feed token and app passwords (compat.models) -----------------------------------------------------


def feed_token_rotate(*, user: User) -> str:
    """Give ``user`` a new feed token (256 random bits, ``secrets``), replacing the old one, whose feed
    URLs stop working at once. Returns the new key."""
    key = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(user=user, defaults={"key": key, "digest": token_digest(key)})
    return key


def feed_token_revoke(*, user: User) -> bool:
    """Delete the user's feed token (every feed URL stops working). False if there was none."""
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def app_password_create(*, user: User, name: str = "") -> tuple[AppPassword, str]:
    """Create an app password of ``user`` for the OPDS catalog and feeds, named ``name`` (white space
    collapsed, cut to 100 characters; blank: "E-reader"). Returns ``(row, password)``: the password (24
    random characters from ``secrets``) is stored only as a SHA-256 digest and cannot be shown again."""
    password = secrets.token_urlsafe(18)
    name = " ".join(str(name).split())[:TOKEN_NAME_MAX_LENGTH] or "E-reader"
    row = AppPassword.objects.create(user=user, name=name, digest=token_digest(password), prefix=password[:6])
    return row, password


def app_password_revoke(*, user: User, pk: int) -> bool:
    """Delete the user's app password ``pk``; it stops working at once. False if there is none."""
    deleted, _ = AppPassword.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


def app_password_used(*, row: AppPassword) -> None:
    """Record that ``row`` was used now (at most once a minute, to spare writes)."""
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        AppPassword.objects.filter(pk=row.pk).update(last_used_at=now)
