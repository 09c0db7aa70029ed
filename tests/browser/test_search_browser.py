"""Search in a real browser (Debian's Chromium through Playwright) against the live Folio app: "/" focuses
the box, results appear as you type (htmx, debounced), arrow keys reach a result, and the opened reader
marks the searched words and scrolls to the first one."""

from __future__ import annotations

import pytest

from articles.models import Article
from tests.browser import logged_in_page
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILLER = "".join(
    f"<p>Paragraph {i} is about the weather in the valley and nothing else.</p>" for i in range(60)
)


def test_search_as_you_type_keyboard_and_reader_highlight(live_server, client, user):
    from playwright.sync_api import sync_playwright

    body_text = "The orchard keeper prunes every apple tree in March."
    target = ArticleFactory(
        user=user,
        url="https://example.com/orchard",
        title="Notes from the valley",
        status=Article.Status.READY,
        language="en",
        content_text="Weather. " * 60 + body_text,
        content_html=FILLER + f"<p>{body_text}</p>",
    )
    ArticleFactory(
        user=user,
        url="https://example.com/other",
        title="Other",
        status=Article.Status.READY,
        language="en",
        content_text="Nothing here.",
    )
    with sync_playwright() as p:
        browser, page = logged_in_page(p, client, user, live_server.url)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + "/search/")
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "search-q"
        page.keyboard.type("orchards")
        page.wait_for_selector("#search-results .search-result")
        assert page.inner_text("#search-count") == "1 result"
        assert "orchards" in page.url  # hx-push-url keeps the query in the address
        assert page.inner_text("#search-results mark").lower() == "orchard"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.className") == "search-result-link"
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/articles/{target.pk}/?q=orchards")
        page.wait_for_selector(".reader-body mark.search-hit")
        first = page.locator(".reader-body mark.search-hit-first")
        assert first.inner_text() == "orchard"
        assert page.evaluate("window.scrollY") > 0  # scrolled down to the match, past 60 paragraphs
        assert first.is_visible()
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()
