"""The feed pages on a phone (390x844) in Chromium: no horizontal scroll, touch targets of 44x44 px, no
console error under the CSP; the header menu leads to them."""

from __future__ import annotations

import os

import pytest

from feeds import services
from feeds.models import Feed
from tests.feeds.feeddocs import ConditionalFeed, rss

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.browser.test_pages_browser import ARTIFACTS, PHONE, SMALL_TARGETS_JS, _log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def feeds(user, page_server, monkeypatch):
    monkeypatch.setattr(services.enqueue, "feed_poll_enqueue", lambda feed_id: True)
    long = "/feeds-ui/" + "a-very-long-path-segment-" * 6
    entries = [(f"ui-{n}", page_server.url(f"{long}{n}")) for n in range(3)]
    doc = ConditionalFeed(
        page_server,
        "/feeds-ui/feed.xml",
        rss(entries, title="A feed with a rather long name, to wrap"),
        "application/rss+xml",
    )
    good = services.feed_subscribe(
        user=user, url=doc.url, tags=["news", "a-rather-long-tag-name"], match_query="entry"
    )
    services.feed_poll(feed_id=good.pk)
    broken_doc = ConditionalFeed(page_server, "/feeds-ui/broken.xml", rss([]), "application/rss+xml")
    broken = services.feed_subscribe(user=user, url=broken_doc.url)
    Feed.objects.filter(pk=broken.pk).update(url=page_server.url("/feeds-ui/gone"))
    services.feed_poll(feed_id=broken.pk)
    return good, broken


def test_feed_pages_fit_a_phone(live_server, user, feeds):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    good, broken = feeds
    problems: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        _log_in(page, live_server.url, user)
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Feeds").click()
        expect(page.get_by_role("heading", name="Your feeds")).to_be_visible()
        for name, path in (
            ("feeds", "/feeds/"),
            ("feed", f"/feeds/{good.pk}/"),
            ("feed-broken", f"/feeds/{broken.pk}/"),
            ("feed-edit", f"/feeds/{good.pk}/edit/"),
            ("settings", "/settings/"),
        ):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name}: {overflow}px of horizontal scroll")
            problems.extend(f"{name}: small target {s}" for s in page.evaluate(SMALL_TARGETS_JS))
            page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True, caret="initial")
        page.goto(live_server.url + f"/feeds/{broken.pk}/")
        expect(page.get_by_role("alert")).to_contain_text("404 Not Found")
        page.goto(live_server.url + f"/feeds/{good.pk}/")
        page.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("button", name="Resume")).to_be_visible()
        browser.close()
    assert not problems, "\n".join(problems)
    assert not errors, "\n".join(errors)
