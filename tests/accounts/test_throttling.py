"""Login throttling through the real log-in forms (Folio's and the admin's): a user name with too many
failures waits, longer with each further failure; the right password waits too; other people are not
affected; one address trying many user names is stopped as well (issue 16 item 4, issue 21 item 4)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password, path="/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_lock_the_user_and_the_right_password_then_waits(client, user, other_user):
    answers = [_login(client, "reader", f"wrong{i}").status_code for i in range(50)]
    assert answers[:4] == [200] * 4  # the form again, with its error
    assert set(answers[4:]) == {429}
    response = _login(client, "reader", PASSWORD)
    assert response.status_code == 429 and not _logged_in(client)
    assert "Logging in is paused" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # Another person (same address: a household behind one router) logs in at once.
    other = Client()
    assert _login(other, "intruder", PASSWORD).status_code == 302 and _logged_in(other)


def test_the_wait_doubles_with_each_failure_and_then_the_right_password_works(client, user, settings):
    settings.FOLIO_LOGIN_FAILURE_LIMIT = 3
    settings.FOLIO_LOGIN_LOCKOUT_SECONDS = 30
    for i in range(2):
        assert _login(client, "reader", f"wrong{i}").status_code == 200
    first = _login(client, "reader", "wrong2")
    assert first.status_code == 429 and 25 <= int(first["Retry-After"]) <= 30
    second = _login(client, "reader", "wrong3")
    assert second.status_code == 429 and 55 <= int(second["Retry-After"]) <= 60
    assert "60 seconds" in second.content.decode()
    # Once the wait is over (the latest failure moved back in time), the right password works.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=61))
    assert _login(client, "reader", PASSWORD).status_code == 302 and _logged_in(client)


def test_the_admin_login_is_throttled_too(client, settings):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    for i in range(settings.FOLIO_LOGIN_FAILURE_LIMIT):
        _login(client, "boss", f"wrong{i}", path="/admin/login/")
    response = _login(client, "boss", PASSWORD, path="/admin/login/")
    assert response.status_code == 429 and not _logged_in(client)


def test_one_address_trying_many_user_names_is_stopped(settings, db):
    settings.FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    UserFactory(username="victim")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(8):
        _login(attacker, f"guess{i}", "wrong")
    assert _login(attacker, "victim", PASSWORD).status_code == 429 and not _logged_in(attacker)
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert _login(elsewhere, "victim", PASSWORD).status_code == 302


def test_forwarded_address_is_believed_only_from_a_trusted_proxy(settings, db):
    from reader.envparse import parse_networks

    settings.FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.FOLIO_TRUSTED_PROXIES = parse_networks("10.0.0.1/32")
    UserFactory(username="victim")
    # Through the trusted proxy, the address it forwards is the client's: one client locked, not the proxy.
    proxy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for i in range(3):
        _login(proxy, f"guess{i}", "wrong")
    assert _login(proxy, "victim", PASSWORD).status_code == 429
    other_client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _login(other_client, "victim", PASSWORD).status_code == 302
    # From anywhere else, the header is ignored: a client cannot pose as another address.
    direct = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _login(direct, "victim", PASSWORD).status_code == 429


def test_wrong_api_tokens_from_one_address_are_slowed(settings, user):
    from articles.services.account import api_token_create

    settings.FOLIO_LOGIN_FAILURE_LIMIT = 3
    good = api_token_create(user=user)[1]
    guesser = Client(REMOTE_ADDR="203.0.113.20")
    answers = [
        guesser.get("/api/articles/", HTTP_AUTHORIZATION=f"Token folio_guess{i}").status_code
        for i in range(4)
    ]
    assert answers[:2] == [401, 401] and answers[3] == 429
    locked = guesser.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {good}")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert locked.json()["error"] == "throttled"
    # Another address, and the same person's password log-in, are not affected.
    assert (
        Client(REMOTE_ADDR="198.51.100.20")
        .get("/api/articles/", HTTP_AUTHORIZATION=f"Token {good}")
        .status_code
        == 200
    )
    assert _login(Client(REMOTE_ADDR="203.0.113.20"), "reader", PASSWORD).status_code == 302


def test_a_good_api_token_after_a_few_wrong_ones_still_works(settings, user):
    """The token lookup skips the key while the address has recent failures (issue 20: one query when it
    has none); below the limit the throttle lets it through and the key is looked up after all."""
    from articles.services.account import api_token_create

    settings.FOLIO_LOGIN_FAILURE_LIMIT = 3
    good = api_token_create(user=user)[1]
    client = Client(REMOTE_ADDR="203.0.113.21")
    assert client.get("/api/articles/", HTTP_AUTHORIZATION="Token folio_typo").status_code == 401
    assert client.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {good}").status_code == 200
