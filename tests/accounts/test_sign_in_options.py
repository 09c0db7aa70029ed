"""Ways in (issue 16 item 2): the OIDC routes are off (404) until a provider is configured, and
``FOLIO_PASSWORD_LOGIN=false`` leaves only single sign-on (the password form is gone and a posted password is
refused, on /login/ and /admin/login/ alike). The full OIDC flow runs in tests/browser/test_oidc_browser.py."""

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_oidc_routes_are_off_without_a_provider(db, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/?code=x&state=y").status_code == 404
    assert 'id="oidc-login"' not in Client().get("/login/").content.decode()


def test_password_login_can_be_turned_off(user, settings):
    settings.OIDC_RP_CLIENT_ID = "folio"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example.org/authorize"
    settings.FOLIO_PASSWORD_LOGIN = False
    page = Client().get("/login/").content.decode()
    assert 'id="oidc-login"' in page and 'name="password"' not in page
    for path in ("/login/", "/admin/login/"):
        browser = Client()
        answer = browser.post(path, {"username": "reader", "password": PASSWORD})
        assert answer.status_code == 403 and "_auth_user_id" not in browser.session
    start = Client().get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith("https://id.example.org/authorize?")
    assert "code_challenge=" in start["Location"] and "client_id=folio" in start["Location"]


def test_system_checks_report_an_incomplete_oidc_set_up(settings):
    from accounts.checks import oidc_settings_check

    settings.OIDC_RP_CLIENT_ID = ""
    assert oidc_settings_check(None) == []
    settings.OIDC_RP_CLIENT_ID = "folio"
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    settings.FOLIO_OIDC_ISSUER = ""
    settings.FOLIO_PASSWORD_LOGIN = False
    ids = {problem.id for problem in oidc_settings_check(None)}
    assert ids == {"accounts.E001", "accounts.W001", "accounts.E002"}
