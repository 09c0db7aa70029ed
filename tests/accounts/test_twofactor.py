"""Two-factor sign-in (issue 16 item 3), through the pages: turned on by scanning (the key from the page)
and confirming a code made by ``pyotp`` as an authenticator app would; then a password alone no longer logs
in, a current code does, a replayed or wrong code is refused, and a recovery code works once."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from accounts.services import twofactor
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_device_throttle(settings):
    """django-otp waits 2**n seconds after n failed codes; these tests check refusals back to back."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _turn_on(client) -> tuple[pyotp.TOTP, list[str]]:
    """Turn two-factor on through the pages; returns the app's TOTP and the recovery codes shown."""
    client.post("/account/two-factor/begin/")
    page = client.get("/account/two-factor/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', page).group(1)
    qr = client.get("/account/two-factor/qr.png")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")
    totp = pyotp.TOTP(secret)
    client.post("/account/two-factor/confirm/", {"code": _wrong(totp)})
    assert not twofactor.twofactor_enabled(_user(client))
    client.post("/account/two-factor/confirm/", {"code": totp.now()})
    page = client.get("/account/two-factor/").content.decode()
    codes = re.findall(r"<li><code>([^<]+)</code></li>", page)
    assert len(codes) == 10 and "is <strong>on</strong>" in page
    assert "<li><code>" not in client.get("/account/two-factor/").content.decode()  # shown once
    return totp, codes


def _user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def _password(client, path="/login/"):
    return client.post(path, {"username": "reader", "password": PASSWORD})


def _next(totp: pyotp.TOTP) -> str:
    """The app's next code (django-otp accepts one step ahead, for clocks a little apart)."""
    return totp.at(time.time() + totp.interval)


def _wrong(totp: pyotp.TOTP) -> str:
    """A code that is none of the app's codes for the steps around now (django-otp's tolerance is one)."""
    now = time.time()
    valid = {totp.at(now + steps * totp.interval) for steps in (-2, -1, 0, 1, 2)}
    return next(code for code in ("123456", "654321", "111111") if code not in valid)


def test_totp_code_signs_in_and_replayed_or_wrong_codes_are_refused(client_logged_in, user):
    totp, _codes = _turn_on(client_logged_in)
    browser = Client()
    step = _password(browser)
    assert step.status_code == 302 and step["Location"] == "/login/code/"
    assert "_auth_user_id" not in browser.session  # the password alone does not log in
    assert browser.get("/").status_code == 302
    code = _next(totp)  # the code of confirming was the current one: used already
    done = browser.post("/login/code/", {"code": code})
    assert done.status_code == 302 and "_auth_user_id" in browser.session

    again = Client()
    _password(again)
    replay = again.post("/login/code/", {"code": code})
    assert replay.status_code == 400 and "_auth_user_id" not in again.session
    wrong = again.post("/login/code/", {"code": _wrong(totp)})
    assert wrong.status_code == 400 and "_auth_user_id" not in again.session
    assert "not right" in wrong.content.decode()


def test_a_recovery_code_works_once(client_logged_in, user):
    _totp, codes = _turn_on(client_logged_in)
    first = Client()
    _password(first)
    assert first.post("/login/code/", {"code": codes[0]}).status_code == 302
    assert "_auth_user_id" in first.session
    second = Client()
    _password(second)
    assert second.post("/login/code/", {"code": codes[0]}).status_code == 400
    assert second.post("/login/code/", {"code": codes[1]}).status_code == 302


def test_the_admin_login_asks_for_the_code_too(client_logged_in, user):
    user.is_staff = True
    user.save()
    _turn_on(client_logged_in)
    browser = Client()
    step = _password(browser, "/admin/login/")
    assert step.status_code == 302 and step["Location"].startswith("/login/code/")
    assert "_auth_user_id" not in browser.session


def test_code_step_needs_the_password_step_and_gives_up_after_five_wrong_codes(
    client_logged_in, user, settings
):
    settings.FOLIO_LOGIN_FAILURE_LIMIT = 20
    totp, _codes = _turn_on(client_logged_in)
    stranger = Client()
    assert stranger.post("/login/code/", {"code": totp.now()}).status_code == 302  # back to /login/
    assert "_auth_user_id" not in stranger.session
    browser = Client()
    _password(browser)
    for _ in range(4):
        assert browser.post("/login/code/", {"code": _wrong(totp)}).status_code == 400
    assert browser.post("/login/code/", {"code": _wrong(totp)})["Location"] == "/login/"
    assert browser.post("/login/code/", {"code": _next(totp)})["Location"] == "/login/"
    assert "_auth_user_id" not in browser.session


def test_wrong_codes_count_towards_the_login_lock(client_logged_in, user, settings):
    settings.FOLIO_LOGIN_FAILURE_LIMIT = 3
    totp, _codes = _turn_on(client_logged_in)
    browser = Client()
    _password(browser)
    assert browser.post("/login/code/", {"code": _wrong(totp)}).status_code == 400
    assert browser.post("/login/code/", {"code": _wrong(totp)}).status_code == 400
    assert browser.post("/login/code/", {"code": _wrong(totp)}).status_code == 429
    locked = browser.post("/login/code/", {"code": _next(totp)})
    assert locked.status_code == 429 and "_auth_user_id" not in browser.session


def test_people_without_two_factor_log_in_with_the_password(db):
    UserFactory(username="plain")
    browser = Client()
    assert browser.post("/login/", {"username": "plain", "password": PASSWORD})["Location"] == "/"


def test_turning_it_off_needs_the_password(client_logged_in, user):
    _turn_on(client_logged_in)
    client_logged_in.post("/account/two-factor/off/", {"password": "wrong"})
    assert twofactor.twofactor_enabled(user)
    client_logged_in.post("/account/two-factor/off/", {"password": PASSWORD})
    assert not twofactor.twofactor_enabled(user)
    assert Client().post("/login/", {"username": "reader", "password": PASSWORD}).status_code == 302
