"""The library and the reader in a real browser: Debian's Chromium driven by Playwright against the live
server (pytest-django ``live_server``) with a real Celery worker processing the saved page from the local
page server. Screenshots of the library and the reader (light and dark) go to ``artifacts/``."""

import os
import re
from pathlib import Path

import pytest

from articles import services
from articles.models import Article, ArticleSource, ReaderSettings
from tests.pageserver import SEED_DIR, wait_for

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves are
# still plain synchronous calls (https://docs.djangoproject.com/en/5.2/topics/async/#envvar-DJANGO_ALLOW_ASYNC_UNSAFE).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM_ARGS
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PASSWORD = "correct horse battery"
SEED = "/seed/voz-russia-taliban.html"
TITLE = "Russia deepens rapprochement with the Taliban"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def reader_user(django_user_model):
    return UserFactory(username="browser")


def _new_page(browser, live_server, color_scheme="light"):
    context = browser.new_context(viewport={"width": 1100, "height": 640}, color_scheme=color_scheme)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("User name").fill("browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Save an article")).to_be_visible()
    return page


@pytest.fixture
def page(browser, live_server, reader_user):
    page = _new_page(browser, live_server)
    yield page
    page.context.close()


def _ready_article(user, page_server, title_suffix=""):
    """A processed copy of the seed article, made through the services (the page sent as by the browser)."""
    html = (SEED_DIR / SEED.removeprefix("/seed/")).read_text()
    article, _ = services.article_save_page(
        origin="bookmarklet", user=user, url=page_server.url(SEED) + title_suffix, html=html
    )
    if services.article_process(article_id=article.pk) is None:
        # The save's own message reached a worker that an earlier test started: it has the article.
        wait_for(lambda: Article.objects.get(pk=article.pk).status == "ready", timeout=60)
    article.refresh_from_db()
    assert article.status == "ready", article.failure_reason
    return article


def _scroll_y(page):
    return page.evaluate("window.scrollY")


def test_save_read_resume_tag_archive(
    page, browser, live_server, page_server, celery_worker_process, reader_user
):
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_label("Save an article").fill(page_server.url(SEED))
    page.get_by_role("button", name="Save", exact=True).click()
    row = page.locator("#article-list > .article-row").first
    expect(row).to_be_visible()
    page.evaluate("window.folioNoReload = true")
    # The worker processes the page; htmx polling swaps the row in place, without a reload.
    expect(row).to_have_attribute("data-status", "ready", timeout=90_000)
    expect(row.locator(".row-link")).to_contain_text(TITLE)
    assert page.evaluate("window.folioNoReload") is True
    page.screenshot(path=ARTIFACTS / "library-light.png", full_page=True)

    row.locator(".row-link").click()
    expect(page.locator("#reader-body")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "reader-light.png")
    article = Article.objects.get(user=reader_user)
    page.evaluate(
        "const b = document.getElementById('reader-body');"
        "window.scrollTo(0, (b.getBoundingClientRect().top + scrollY + b.offsetHeight - innerHeight) / 2)"
    )
    expect(page.locator("#reader")).to_have_attribute("data-saved-percent", re.compile(r"\d"))
    y = _scroll_y(page)
    assert y > 200
    assert wait_for(lambda: Article.objects.get(pk=article.pk).progress_percent > 20, timeout=10)
    article.refresh_from_db()
    assert 20 < article.progress_percent < 80 and article.progress_paragraph > 0 and article.read_at is None

    # Another device: a new browser context, logged in again, lands at the same place.
    other = _new_page(browser, live_server)
    other.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(other.locator("#reader")).to_have_attribute("data-restored", "true")
    assert abs(_scroll_y(other) - y) < 160, (_scroll_y(other), y)
    other.context.close()

    # Tag it (a new tag, created on the fly) and archive it from the reader, without reloading.
    actions = page.locator("#reader-actions")
    actions.get_by_text("Add tags").click()
    page.get_by_label("Tags (separated by commas)").fill("geopolitics")
    page.get_by_label("Tags (separated by commas)").press("Enter")
    expect(page.locator("#reader-actions .tag-list")).to_contain_text("geopolitics")
    page.locator("#reader-actions").get_by_role("button", name="Archive", exact=True).click()
    expect(page.locator("#reader-actions").get_by_role("button", name="Unarchive")).to_be_visible()
    article.refresh_from_db()
    assert article.is_archived and list(article.tags.values_list("name", flat=True)) == ["geopolitics"]

    page.goto(live_server.url + "/")
    expect(page.locator("#article-list")).to_have_count(0)
    page.get_by_role("navigation", name="Library views").get_by_role("link", name="Archive").click()
    expect(page.locator("#article-list")).to_contain_text(TITLE)
    page.get_by_role("navigation", name="Tags").get_by_role("link", name="geopolitics").click()
    expect(page.get_by_role("heading", name="Tag: geopolitics")).to_be_visible()
    expect(page.locator("#article-list")).to_contain_text(TITLE)

    # Reaching the end marks it read.
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(page.locator("#reader-end")).to_have_text("You have read this article.")
    assert Article.objects.get(pk=article.pk).read_at is not None


def test_keyboard_shortcuts(page, live_server, reader_user, page_server):
    first = _ready_article(reader_user, page_server, "?n=1")
    second = _ready_article(reader_user, page_server, "?n=2")  # newest: listed first
    page.goto(live_server.url + "/")
    rows = page.locator("#article-list > .article-row")
    expect(rows).to_have_count(2)
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("k")
    current = page.locator(f"#article-{second.pk}")
    expect(current).to_have_class(re.compile(r"\bis-current\b"))

    # The row's actions sit in its menu (closed); the keys press them all the same.
    page.keyboard.press("f")
    expect(current.get_by_role("button", name="Unfavorite", include_hidden=True)).to_be_attached()
    page.keyboard.press("m")
    expect(current.get_by_role("button", name="Mark unread", include_hidden=True)).to_be_attached()
    page.keyboard.press("e")
    expect(current.get_by_role("button", name="Unarchive", include_hidden=True)).to_be_attached()
    second.refresh_from_db()
    assert second.is_favorite and second.read_at is not None and second.is_archived

    page.keyboard.press("t")
    field = current.locator("input[name=tags]")
    expect(field).to_be_focused()
    field.fill("keyboard")
    field.press("Enter")
    expect(current.locator(".tag-list")).to_contain_text("keyboard")

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    page.keyboard.press("/")
    expect(page.get_by_label("Search articles")).to_be_focused()
    page.keyboard.press("Escape")

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#article-{first.pk}")).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("o")
    page.wait_for_url(f"**/articles/{first.pk}/")
    expect(page.locator("#reader")).to_have_attribute("data-restored", "true")
    page.keyboard.press("j")
    assert wait_for(lambda: _scroll_y(page) > 0, timeout=5)
    page.keyboard.press("u")
    page.wait_for_url(live_server.url + "/")

    for keys, path, heading in (
        ("ga", "/archive/", "Archive"),
        ("gf", "/favorites/", "Favorites"),
        ("gu", "/", "Unread"),
    ):
        page.keyboard.press(keys[0])
        page.keyboard.press(keys[1])
        page.wait_for_url(live_server.url + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.goto(live_server.url + "/favorites/")
    expect(page.locator("#article-list")).to_contain_text(TITLE)


def test_dark_theme_and_screenshots(page, live_server, reader_user, page_server):
    ARTIFACTS.mkdir(exist_ok=True)
    article = _ready_article(reader_user, page_server)
    page.get_by_role("link", name="Reader settings").click()
    page.get_by_label("Dark").check()
    page.get_by_label("Sans-serif").check()
    page.get_by_label("Text size").select_option("20")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert ReaderSettings.objects.get(user=reader_user).theme == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(23, 24, 26)"

    page.goto(live_server.url + "/")
    expect(page.locator("#article-list")).to_contain_text(TITLE)
    page.screenshot(path=ARTIFACTS / "library-dark.png", full_page=True)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    reader = page.locator("#reader")
    expect(reader).to_have_class(re.compile(r"font-sans.*fs-20"))
    assert page.evaluate("getComputedStyle(document.getElementById('reader')).fontSize") == "20px"
    # Images in the article are lazy-loaded.
    assert page.evaluate("[...document.querySelectorAll('#reader img')].every(i => i.loading === 'lazy')")
    page.screenshot(path=ARTIFACTS / "reader-dark.png")
    page.get_by_text("Details").click()
    details = page.locator("#details")
    expect(details).to_contain_text("Words")
    expect(details).to_contain_text(str(article.word_count))
    assert ArticleSource.objects.filter(article=article).exists()


def test_actions_work_without_javascript(browser, live_server, reader_user, page_server):
    article = _ready_article(reader_user, page_server)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 640})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("User name").fill("browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    row = page.locator(f"#article-{article.pk}")
    row.locator(".row-menu > summary").click()  # the row's menu is a <details>: it opens without JavaScript
    row.get_by_label(re.compile("Tags for")).fill("offline")
    row.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Tagged 1 article with offline")).to_be_visible()
    page.locator(f"#article-{article.pk} .row-menu > summary").click()
    page.locator(f"#article-{article.pk}").get_by_role("button", name="Archive", exact=True).click()
    expect(page.get_by_text("1 article archived.")).to_be_visible()
    expect(page.locator(f"#article-{article.pk}")).to_have_count(0)
    page.get_by_role("navigation", name="Library views").get_by_role("link", name="Archive").click()
    page.locator(f"#article-{article.pk} .row-menu > summary").click()
    page.locator(f"#article-{article.pk}").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("1 article deleted.")).to_be_visible()
    assert Article.objects.get(pk=article.pk).deleted_at is not None
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(f"#article-{article.pk}")).to_be_visible()
    article.refresh_from_db()
    assert article.deleted_at is None and article.is_archived
    assert list(article.tags.values_list("name", flat=True)) == ["offline"]
    context.close()
