"""wallabag's OAuth2 at /oauth/v2/token (django-oauth-toolkit): the password, refresh_token and
client_credentials grants, token lifetime, wallabag's GET and JSON variants, the create_oauth_client
command, and the 401 answers in wallabag's error shape."""

import io
import json

import pytest
from django.core.management import call_command
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient

from articles.services import oauth_client_create, oauth_client_revoke
from tests.compat.conftest import password_grant
from tests.factories import (
    OAUTH_CLIENT_SECRET,
    PASSWORD,
    AccessTokenFactory,
    ArticleFactory,
    OAuthClientFactory,
)

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_password_grant_answers_wallabags_token_shape(token):
    assert set(token) >= {"access_token", "expires_in", "token_type", "scope", "refresh_token"}
    assert token["expires_in"] == 3600 and token["token_type"].lower() == "bearer"


def test_token_request_as_json_and_as_get(client, oauth_client):
    params = {
        "grant_type": "password",
        "client_id": oauth_client.client_id,
        "client_secret": OAUTH_CLIENT_SECRET,
        "username": "reader",
        "password": PASSWORD,
    }
    # KOReader posts JSON; wallabag-client asks with GET and a query string.
    as_json = client.post("/oauth/v2/token", json.dumps(params), content_type="application/json")
    as_get = client.get("/oauth/v2/token", params)
    assert as_json.status_code == 200 and as_get.status_code == 200
    assert as_json.json()["access_token"] != as_get.json()["access_token"]


def test_refresh_token_grant_gives_a_new_working_token(client, oauth_client, token):
    response = client.post(
        "/oauth/v2/token",
        {
            "grant_type": "refresh_token",
            "client_id": oauth_client.client_id,
            "client_secret": OAUTH_CLIENT_SECRET,
            "refresh_token": token["refresh_token"],
        },
    )
    assert response.status_code == 200, response.content
    fresh = response.json()
    assert fresh["access_token"] != token["access_token"] and fresh["expires_in"] == 3600
    assert _bearer(fresh["access_token"]).get("/api/entries").status_code == 200


def test_client_credentials_grant_acts_for_the_clients_user(client, user, oauth_client):
    ArticleFactory(user=user)
    response = client.post(
        "/oauth/v2/token",
        {
            "grant_type": "client_credentials",
            "client_id": oauth_client.client_id,
            "client_secret": OAUTH_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200, response.content
    body = _bearer(response.json()["access_token"]).get("/api/entries").json()
    assert body["total"] == 1


def test_wrong_password_and_someone_elses_client_are_refused(client, oauth_client, other_user):
    wrong = password_grant(client, oauth_client, password="not it")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # other_user's correct password through reader's client: refused (clients are personal).
    theirs = password_grant(client, oauth_client, username="intruder")
    assert theirs.status_code == 400 and theirs.json()["error"] == "invalid_grant"
    bad_secret = client.post(
        "/oauth/v2/token",
        {
            "grant_type": "password",
            "client_id": oauth_client.client_id,
            "client_secret": "guess",
            "username": "reader",
            "password": PASSWORD,
        },
    )
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"


def test_expired_token_answers_401_in_wallabags_shape(user):
    expired = AccessTokenFactory(user=user, expired=True)
    response = _bearer(expired.token).get("/api/entries")
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "The access token provided has expired.",
    }


def test_missing_and_unknown_tokens_answer_401_in_wallabags_shape(client):
    missing = APIClient().get("/api/entries")
    assert missing.status_code == 401
    assert missing.json() == {"error": "access_denied", "error_description": "OAuth2 authentication required"}
    unknown = _bearer("no-such-token").get("/api/entries.json")
    assert unknown.status_code == 401
    assert unknown.json() == {
        "error": "invalid_grant",
        "error_description": "The access token provided is invalid.",
    }


def test_folio_api_tokens_and_sessions_do_not_open_the_wallabag_api(api_key, client_logged_in):
    assert APIClient(HTTP_AUTHORIZATION=f"Token {api_key}").get("/api/entries").status_code == 401
    assert client_logged_in.get("/api/entries").status_code == 401


def test_create_oauth_client_command_prints_id_and_secret(user, client):
    out = io.StringIO()
    call_command("create_oauth_client", "reader", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("client_id: ") and lines[1].startswith("client_secret: ")
    client_id, secret = lines[0].split(": ", 1)[1], lines[1].split(": ", 1)[1]
    application = Application.objects.get(client_id=client_id)
    assert application.user == user and application.client_secret != secret  # stored hashed
    response = client.post(
        "/oauth/v2/token",
        {
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": "reader",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200


def test_revoking_a_client_ends_its_tokens(user, token, wb, oauth_client):
    assert wb.get("/api/entries").status_code == 200
    assert oauth_client_revoke(user=user, pk=oauth_client.pk)
    assert not AccessToken.objects.exists()
    assert wb.get("/api/entries").status_code == 401


def test_revoke_is_scoped_to_the_owner(user, other_user):
    theirs, _secret = oauth_client_create(user=other_user, name="Their phone")
    assert not oauth_client_revoke(user=user, pk=theirs.pk)
    assert Application.objects.filter(pk=theirs.pk).exists()
    assert OAuthClientFactory(user=user).user == user
