"""Log-in by an authenticating proxy (issue 16 item 2): the header is believed only from a trusted proxy's
address; the person it names is logged in (created on first sight, or not, as configured)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from reader.envparse import parse_networks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxy_settings(settings):
    settings.FOLIO_AUTH_PROXY_HEADER = "Remote-User"
    settings.FOLIO_TRUSTED_PROXIES = parse_networks("10.0.0.5/32")
    return settings


def _get(remote_addr: str, name: str, client=None):
    client = client or Client(REMOTE_ADDR=remote_addr)
    return client, client.get("/", HTTP_REMOTE_USER=name)


def test_the_trusted_proxy_logs_people_in_and_creates_them(proxy_settings):
    UserFactory(username="dana")
    client, response = _get("10.0.0.5", "dana")
    assert response.status_code == 200 and client.session["_auth_user_id"]
    _client, first_time = _get("10.0.0.5", "erin")
    erin = get_user_model().objects.get(username="erin")
    assert first_time.status_code == 200 and not erin.has_usable_password() and not erin.is_staff
    # The proxy names someone else on the same session: that person, not the first.
    _same, switched = _get("10.0.0.5", "erin", client)
    assert switched.status_code == 200 and client.session["_auth_user_id"] == str(erin.pk)


def test_the_header_from_anyone_else_is_ignored(proxy_settings):
    UserFactory(username="dana")
    client, response = _get("203.0.113.7", "dana")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    _get("203.0.113.7", "mallory")
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_creating_people_can_be_off_and_the_feature_is_off_by_default(proxy_settings):
    proxy_settings.FOLIO_AUTH_PROXY_CREATE_USERS = False
    client, response = _get("10.0.0.5", "frank")
    assert response.status_code == 302 and not get_user_model().objects.filter(username="frank").exists()
    proxy_settings.FOLIO_AUTH_PROXY_HEADER = ""
    UserFactory(username="dana")
    client, response = _get("10.0.0.5", "dana")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
