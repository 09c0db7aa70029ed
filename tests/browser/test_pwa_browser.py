"""Folio as an installed app, in Debian's Chromium (issue 12): the manifest is linked and valid, Chromium
finds no installability error, and the service worker is registered and controls the page; offline, the
library and the kept readers render with their images, changes made offline reach the server when the
network returns, an article not kept says so, and logging out clears the caches."""

from __future__ import annotations

import os

import pytest

from articles import services
from articles.models import Article, ArticleImage, Highlight
from tests import imagefiles
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.factories import PASSWORD
from tests.pageserver import wait_for

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
    assert until(page, "navigator.serviceWorker.controller !== null")


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


def paragraphs(title: str, count: int) -> str:
    """``count`` distinct paragraphs (extraction drops repeated ones), long enough to scroll."""
    return "".join(
        f"<p>{title}, part {n}: "
        + " ".join([f"The ferry number {n} leaves at dawn when the harbour sleeps."] * 8)
        + "</p>"
        for n in range(count)
    )


def saved_article(user, page_server, slug: str, title: str, images: list[str] = ()) -> Article:
    """An article saved and processed in this process (its images kept in the test's image folder)."""
    figures = "".join(
        f'<figure><img src="{src}" alt="Picture {i}"></figure>{paragraphs(f"{title} {i}", 2)}'
        for i, src in enumerate(images)
    )
    html = (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs(title, 3)}{figures}{paragraphs(title + ' end', 12)}</article></body></html>"
    )
    url = page_server.add(f"/offline/{slug}.html", html)
    article, _ = services.article_save_url(user=user, url=url, origin="form")
    assert services.article_process(article_id=article.pk) == "ready"
    return Article.objects.get(pk=article.pk)


def until(page, expression: str, timeout: float = 30) -> bool:
    """Poll a JavaScript ``expression`` in ``page`` until it is true (wait_for_function would evaluate it
    with eval, which Folio's CSP forbids)."""
    return wait_for(lambda: bool(page.evaluate(expression)), timeout=timeout)


QUOTE = "The ferry number 0 leaves at dawn when the harbour sleeps."
CACHED_COUNT = "name => caches.open(name).then(c => c.keys()).then(k => k.length)"
#: Scroll to 40 % of the article body (reader.js's percentage).
HALF_WAY = """() => {
  const body = document.getElementById('reader-body');
  const top = body.getBoundingClientRect().top + window.scrollY;
  window.scrollTo(0, top + (body.offsetHeight - window.innerHeight) * 0.4 - top * 0.6);
}"""
FOLIO_CACHES = "() => caches.keys().then(names => names.filter(n => n.startsWith('folio-')).length)"
IMAGES_SHOWN = "[...document.querySelectorAll('#reader img')].every(i => i.complete && i.naturalWidth > 0)"


def test_library_and_three_readers_work_offline_and_changes_reach_the_server(
    context, live_server, page_server, user
):
    photo = page_server.add(
        "/offline/photo.jpg", imagefiles.photo(900, 600), headers={"Content-Type": "image/jpeg"}
    )
    drawing = page_server.add("/offline/map.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    pictured = saved_article(user, page_server, "pictured", "Harbour at dawn", [photo, drawing])
    plain = saved_article(user, page_server, "plain", "Night ferry")
    third = saved_article(user, page_server, "third", "Island bakeries")
    assert ArticleImage.objects.filter(article=pictured, status="stored").count() == 2
    articles = [pictured, plain, third]

    page = context.new_page()
    base = live_server.url
    log_in(page, base, user)
    wait_for_control(page)
    for article in articles:  # read them online
        page.goto(f"{base}/articles/{article.pk}/")
        page.wait_for_selector("#reader[data-restored=true]")
    page.goto(f"{base}/")
    # The worker fetched the three readers and the two images ahead of time (the offline list).
    assert wait_for(lambda: page.evaluate(CACHED_COUNT, "folio-articles-v1") >= 3, timeout=30)
    assert wait_for(lambda: page.evaluate(CACHED_COUNT, "folio-images-v1") >= 2, timeout=30)

    context.set_offline(True)
    response = page.goto(f"{base}/")
    assert response.from_service_worker
    for article in articles:
        assert page.locator(f"text={article.title}").first.is_visible()
    for article in articles:
        response = page.goto(f"{base}/articles/{article.pk}/")
        assert response.from_service_worker and response.status == 200
        assert page.inner_text("#reader h1") == article.title
        # Load the lazy images without scrolling (a scroll would send a reading position).
        page.evaluate("document.querySelectorAll('#reader img').forEach(i => { i.loading = 'eager'; })")
        assert until(page, IMAGES_SHOWN)
    assert page.goto(f"{base}/articles/{pictured.pk}/") and page.locator("#reader img").count() == 2

    # Offline: mark one read, highlight a passage in another, scroll a third half-way: all wait in the queue.
    page.goto(f"{base}/articles/{plain.pk}/")
    page.click("#reader-actions button[value=read]")
    assert until(page, "document.documentElement.getAttribute('data-offline-waiting') === '1'")
    page.goto(f"{base}/articles/{pictured.pk}/")
    # A plain form, answered by going back to the kept reader; filled without scrolling (a scroll would
    # send a reading position too).
    page.evaluate(
        "quote => { document.getElementById('highlight-quote').value = quote;"
        " document.getElementById('highlight-form').requestSubmit(); }",
        QUOTE,
    )
    page.wait_for_selector("#reader[data-restored=true]")
    assert until(page, "document.documentElement.getAttribute('data-offline-waiting') === '2'")
    page.goto(f"{base}/articles/{third.pk}/")
    page.wait_for_selector("#reader[data-restored=true]")
    page.evaluate(HALF_WAY)
    assert until(page, "document.documentElement.getAttribute('data-offline-waiting') === '3'")
    assert Article.objects.get(pk=plain.pk).read_at is None
    assert Article.objects.get(pk=third.pk).progress_percent == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # as the browser does when the network returns
    assert wait_for(lambda: Article.objects.get(pk=plain.pk).read_at is not None, timeout=30)
    assert wait_for(lambda: Article.objects.get(pk=third.pk).progress_percent > 0, timeout=30)
    assert wait_for(lambda: Highlight.objects.filter(article=pictured, quote=QUOTE).exists(), timeout=30)
    third.refresh_from_db()
    assert 0 < third.progress_percent < 98 and third.read_at is None
    assert until(page, "document.documentElement.getAttribute('data-offline-waiting') === '0'")


def test_reader_not_kept_says_so_offline_and_log_out_clears_the_caches(
    context, live_server, page_server, user
):
    kept = saved_article(user, page_server, "kept", "Kept for the train")
    page = context.new_page()
    base = live_server.url
    log_in(page, base, user)
    wait_for_control(page)
    assert wait_for(lambda: page.evaluate(CACHED_COUNT, "folio-articles-v1") >= 1, timeout=30)
    context.set_offline(True)
    page.goto(f"{base}/articles/{kept.pk + 1000}/")
    assert page.inner_text("h1") == "Not available offline"
    context.set_offline(False)

    page.goto(f"{base}/")
    page.click("form[action='/logout/'] button")
    page.wait_for_url(f"{base}/login/")
    page.wait_for_function(
        "caches.keys().then(names => names.filter(n => n.startsWith('folio-')).length === 0)"
    )


CACHED_PATHS = """name => caches.open(name).then(c => c.keys())
  .then(keys => keys.map(k => new URL(k.url).pathname).sort())"""


def test_kept_readers_are_bounded_and_the_oldest_is_evicted(context, live_server, user, settings):
    from tests.factories import ArticleFactory, ReaderSettingsFactory

    settings.FOLIO_OFFLINE_EXTRA_PAGES = 0
    ReaderSettingsFactory(user=user, offline_articles=2)  # the reader cache holds 2 pages
    first, second, third = (ArticleFactory(user=user, ready=True, title=f"Bounded {n}") for n in range(3))
    page = context.new_page()
    base = live_server.url
    log_in(page, base, user)
    wait_for_control(page)
    assert wait_for(lambda: page.evaluate(CACHED_COUNT, "folio-articles-v1") == 2, timeout=30)
    for article in (first, second, third):  # each opened page is kept as the newest entry
        page.goto(f"{base}/articles/{article.pk}/")
    expected = sorted(f"/articles/{a.pk}/" for a in (second, third))
    assert wait_for(lambda: page.evaluate(CACHED_PATHS, "folio-articles-v1") == expected, timeout=30), (
        page.evaluate(CACHED_PATHS, "folio-articles-v1")
    )
