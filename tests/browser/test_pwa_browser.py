"""Folio as an installed app, in Debian's Chromium (issue 12): the manifest is linked and valid, Chromium
finds no installability error, and the service worker is registered and controls the page."""

from __future__ import annotations

import os

import pytest

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(tmp_path):
    """A Debian Chromium with a profile on disk (an incognito context is never installable), closed after
    the test. DJANGO_ALLOW_ASYNC_UNSAFE only while it runs: Playwright's sync API keeps an asyncio loop on
    the test's thread."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch_persistent_context(
                tmp_path / "profile", executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def log_in(page, base_url: str, user) -> None:
    """Log ``user`` in through the log-in form (the browser gets its own session and CSRF cookies)."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def wait_for_control(page) -> None:
    """Wait until the service worker is active and controls ``page``."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_manifest_is_valid_and_the_service_worker_controls_the_page(context, live_server, user):
    page = context.new_page()
    log_in(page, live_server.url, user)
    wait_for_control(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{live_server.url}/sw.js"
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == [], manifest["errors"]
    parsed = manifest["manifest"]
    assert parsed["display"] == "kStandalone", parsed
    assert parsed["shareTarget"]["method"] == "kPost", parsed["shareTarget"]
    installability = cdp.send("Page.getInstallabilityErrors")
    assert installability["installabilityErrors"] == [], installability
