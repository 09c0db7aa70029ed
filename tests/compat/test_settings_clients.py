"""The settings page's "API clients" section: create (the secret shown once), list, revoke; scoped to the
person."""

import pytest
from oauth2_provider.models import Application

from tests.factories import OAuthClientFactory

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_the_client_works(client_logged_in, user, client):
    page = client_logged_in.get("/settings/").content.decode()
    assert "API clients (wallabag apps)" in page and "No API clients yet." in page
    response = client_logged_in.post("/settings/apps/clients/", {"name": "Kobo"}, follow=True)
    html = response.content.decode()
    application = Application.objects.get(user=user)
    assert application.name == "Kobo" and application.client_id in html
    secret = html.split('id="new-client-secret">', 1)[1].split("<", 1)[0]
    assert secret and application.client_secret != secret  # stored hashed
    again = client_logged_in.get("/settings/").content.decode()
    assert secret not in again and "Kobo" in again


def test_revoke_is_scoped_to_the_owner(client_logged_in, user, other_user):
    mine, theirs = OAuthClientFactory(user=user), OAuthClientFactory(user=other_user)
    page = client_logged_in.post(f"/settings/apps/clients/{theirs.pk}/revoke/", follow=True).content.decode()
    assert "There is no such API client." in page and Application.objects.filter(pk=theirs.pk).exists()
    client_logged_in.post(f"/settings/apps/clients/{mine.pk}/revoke/")
    assert not Application.objects.filter(pk=mine.pk).exists()


def test_creating_needs_a_post_and_a_login(client, client_logged_in):
    assert client_logged_in.get("/settings/apps/clients/").status_code == 405
    client.logout()
    assert client.post("/settings/apps/clients/", {"name": "x"}).status_code == 302
    assert not Application.objects.exists()
