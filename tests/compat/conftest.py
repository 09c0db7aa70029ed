"""Fixtures of the wallabag API tests: a client of the person's, a token from the token endpoint, and an
API client that sends it."""

import pytest
from rest_framework.test import APIClient

from tests.factories import OAUTH_CLIENT_SECRET, PASSWORD, OAuthClientFactory


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    """Client secrets and passwords are hashed and checked on every token request: a fast hasher keeps
    these tests quick (production keeps Django's PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def oauth_client(user):
    return OAuthClientFactory(user=user)


def password_grant(client, oauth_client, username="reader", password=PASSWORD, **extra):
    """POST the password grant to /oauth/v2/token (form body, as the wallabag Android app does)."""
    return client.post(
        "/oauth/v2/token",
        {
            "grant_type": "password",
            "client_id": oauth_client.client_id,
            "client_secret": OAUTH_CLIENT_SECRET,
            "username": username,
            "password": password,
            **extra,
        },
    )


@pytest.fixture
def token(client, oauth_client):
    response = password_grant(client, oauth_client)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def wb(token):
    """An API client authenticated with the bearer token."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    return api
