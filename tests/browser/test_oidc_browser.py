"""Sign-in with OpenID Connect (issue 16 item 2) against a real provider: django-oauth-toolkit's OIDC
provider in a second process (tests/oidc_provider.py), Chromium going through the whole authorization code
flow (Folio → the provider's log-in page → back to Folio, which fetches the tokens and UserInfo itself).
The first sign-in creates the person, the group claim makes an administrator; a wrong issuer and a tampered
ID token are refused."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "folio-test-client"
CLIENT_SECRET = "folio-test-secret-0123456789abcdef"
PROVIDER_PASSWORD = "provider-pass"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The provider process, registered with Folio's callback; its discovery document as a dict."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("oidc-provider")
    log = (folder / "provider.log").open("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "oidc_provider.py"),
            str(port),
            f"{live_server.url}/oidc/callback/",
            CLIENT_ID,
            CLIENT_SECRET,
            str(folder / "provider.sqlite3"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    try:
        deadline = time.monotonic() + 120
        while "READY" not in (folder / "provider.log").read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("OIDC provider did not start:\n" + (folder / "provider.log").read_text())
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}/o"
        with urllib.request.urlopen(f"{base}/.well-known/openid-configuration", timeout=10) as answer:
            yield json.load(answer)
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture
def oidc_settings(settings, provider):
    """Folio configured for the provider, as the environment would (README: Sign-in with OIDC)."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
    settings.FOLIO_OIDC_ISSUER = provider["issuer"]
    settings.FOLIO_OIDC_ADMIN_GROUP = "folio-admins"
    settings.FOLIO_OIDC_PROVIDER_NAME = "Example ID"
    return settings


@pytest.fixture
def tampering_token_endpoint(provider):
    """A man in the middle of Folio's token request: forwards it to the provider and changes one claim of
    the ID token it answers (``preferred_username`` becomes ``alice``), keeping the provider's signature."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            forward = urllib.request.Request(
                provider["token_endpoint"],
                data=body,
                headers={
                    k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")
                },
            )
            with urllib.request.urlopen(forward, timeout=10) as answer:
                tokens = json.load(answer)
            header, payload, signature = tokens["id_token"].split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["preferred_username"] = "alice"
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            tokens["id_token"] = f"{header}.{forged}.{signature}"
            data = json.dumps(tokens).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/o/token/"
    server.shutdown()
    server.server_close()


def _sign_in(browser, origin: str, username: str) -> tuple[str, str]:
    """Go through the flow in a fresh browser context; returns (final URL, page text)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{origin}/login/")
        page.click("#oidc-login")
        page.wait_for_selector("#provider-submit")
        page.fill("#id_username", username)
        page.fill("#id_password", PROVIDER_PASSWORD)
        page.click("#provider-submit")
        page.wait_for_url(lambda url: url.startswith(origin))
        page.wait_for_load_state("load")
        return page.url, page.inner_text("body")
    finally:
        context.close()


def test_first_sign_in_creates_the_person_and_the_group_claim_makes_an_administrator(
    live_server, oidc_settings
):
    origin = live_server.url
    users = get_user_model().objects
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            alice_url, alice_text = _sign_in(browser, origin, "alice")
            bob_url, _bob_text = _sign_in(browser, origin, "bob")
            again_url, _ = _sign_in(browser, origin, "alice")
        finally:
            browser.close()
    assert alice_url == f"{origin}/" and "Log out" in alice_text
    assert bob_url == f"{origin}/" and again_url == f"{origin}/"
    alice, bob = users.get(username="alice"), users.get(username="bob")
    assert alice.is_staff and alice.is_superuser and alice.email == "alice@example.org"
    assert not bob.is_staff and not bob.is_superuser
    assert not alice.has_usable_password() and not bob.has_usable_password()
    assert users.filter(username="alice").count() == 1


def test_a_wrong_issuer_or_a_tampered_id_token_is_refused(
    live_server, provider, oidc_settings, tampering_token_endpoint
):
    origin = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            oidc_settings.FOLIO_OIDC_ISSUER = "https://id.example.org/o"
            wrong_url, wrong_text = _sign_in(browser, origin, "bob")
            oidc_settings.FOLIO_OIDC_ISSUER = oidc_settings.OIDC_OP_AUTHORIZATION_ENDPOINT.rsplit(
                "/authorize/", 1
            )[0]
            oidc_settings.OIDC_OP_TOKEN_ENDPOINT = tampering_token_endpoint
            forged_url, forged_text = _sign_in(browser, origin, "bob")
        finally:
            browser.close()
    for url, text in ((wrong_url, wrong_text), (forged_url, forged_text)):
        assert url.startswith(f"{origin}/login/"), url
        assert "did not work" in text
    assert not get_user_model().objects.filter(username__in=["alice", "bob"]).exists()
