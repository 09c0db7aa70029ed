"""Highlighting in the real reader (Debian's Chromium through Playwright): select text, add a note, save;
the passage comes back marked in place. Also checks the page runs under its CSP without errors."""

from __future__ import annotations

import pytest

from articles.models import Highlight
from tests.browser import logged_in_page
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(live_server, client, user, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls in the test are still plain
    # synchronous calls (Django docs, "Async safety").
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser, page = logged_in_page(p, client, user, live_server.url)
        errors: list[str] = []
        # CSP violations and script errors; failed loads are checked by status (Chromium asks for
        # /favicon.ico, which Folio does not serve).
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, errors
        browser.close()


def test_select_text_and_highlight_with_note(browser_page, live_server, user):
    page, errors = browser_page
    article = ArticleFactory(
        user=user,
        url="https://example.com/b",
        status="ready",
        title="B",
        content_html="<p>Alpha beta gamma.</p><p>The <em>important</em> sentence lives here.</p>",
    )
    HighlightFactory(article=article, quote="Alpha beta", note="imported")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert page.locator(".reader-body mark").first.inner_text() == "Alpha beta"
    page.evaluate(
        """() => {
          const p = document.querySelectorAll('#reader-body p')[1];
          const range = document.createRange();
          range.setStart(p.firstChild, 0);            // "The "
          range.setEnd(p.lastChild, " sentence".length); // " sentence lives here."
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          p.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }"""
    )
    assert page.input_value("#highlight-quote") == "The important sentence"
    assert page.input_value("#highlight-prefix").endswith("Alpha beta gamma.")
    # The selection toolbar takes the selection now; the form under the article is still filled.
    page.click("#highlight-add > summary")
    page.fill("#highlight-note", "Worth quoting")
    page.click("#highlight-form button[type=submit]")
    page.wait_for_url(f"**/articles/{article.pk}/#highlight-*")
    created = Highlight.objects.get(note="Worth quoting")
    assert created.quote == "The important sentence" and created.anchor["start"] > 0
    marks = page.locator(".reader-body mark").all_inner_texts()
    assert marks[:1] == ["Alpha beta"] and "important" in marks
    assert not errors, errors
