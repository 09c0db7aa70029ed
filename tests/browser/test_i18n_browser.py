"""Every page in German on a phone (390x844) in Debian's Chromium with a German browser (issue 19, item 3):
the longer German words still fit (no horizontal scroll), every clickable element is at least 44x44 px, no
console error, ``<html lang="de">``, and the JavaScript sentences (the selection count) come in German.
Screenshots in ``artifacts/pages-de/``. The pages and the library are those of test_pages_browser.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from articles.models import Article

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.browser.test_pages_browser import PHONE, SMALL_TARGETS_JS, _pages, image_store, library  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pages-de"


def test_every_page_in_german_fits_a_phone(live_server, user, library):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failed = Article.objects.get(user=user, status=Article.Status.FAILED)
    problems: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True, locale="de-DE")
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on(
            "console",
            lambda m: (
                errors.append(f"{page.url}: {m.text}")
                if m.type == "error" and "/999999/" not in page.url
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        page.goto(live_server.url + "/login/")
        expect(page.get_by_role("heading", name="Bei Folio anmelden")).to_be_visible()
        page.get_by_label("Benutzername").fill(user.get_username())
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_label("Einen Artikel speichern")).to_be_visible()
        for name, path in _pages(library, failed):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            if page.evaluate("document.documentElement.lang") != "de":
                problems.append(f"{name}: <html lang> is not de")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name}: {overflow}px of horizontal scroll")
            problems.extend(f"{name}: small target {s}" for s in page.evaluate(SMALL_TARGETS_JS))
            page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True, caret="initial")
        # The selection count is written by library.js from the page's German words.
        page.goto(live_server.url + "/")
        page.locator(".row-select-hit").first.click()
        expect(page.locator("[data-bulk-count]")).to_have_text("1 ausgewählt")
        page.locator(".row-select-hit").nth(1).click()
        expect(page.locator("[data-bulk-count]")).to_have_text("2 ausgewählt")
        browser.close()
    assert not problems, "\n".join(problems)
    assert not errors, "\n".join(errors)
