"""No third-party request while reading (issue 12): Chromium opens the reader of an article whose images were
on another site (the local page server, another origin than Folio's live server) and every request it makes
is intercepted and recorded. All of them go to Folio's origin, and Folio's copies of the images show."""

from __future__ import annotations

import os

import pytest

from articles import services
from articles.models import Article, ArticleImage
from tests import imagefiles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

from tests.browser import logged_in_page
from tests.conftest import image_folder_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARA = (
    "<p>" + " ".join(["Lighthouses were lit by hand until the last keepers left the islands."] * 6) + "</p>"
)


@pytest.fixture
def image_store(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "images": image_folder_storage(tmp_path / "images")}


def test_reader_makes_no_third_party_request(live_server, page_server, client, user, image_store):
    photo = page_server.add(
        "/far/photo.jpg", imagefiles.photo(1000, 700), headers={"Content-Type": "image/jpeg"}
    )
    drawing = page_server.add("/far/drawing.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    lead = page_server.add(
        "/far/lead.jpg", imagefiles.photo(640, 360), headers={"Content-Type": "image/jpeg"}
    )
    svg = page_server.add(
        "/far/diagram.svg", imagefiles.SVG_WITH_SCRIPT, headers={"Content-Type": "image/svg+xml"}
    )
    html = (
        f'<html><head><title>Keepers of the light</title><meta property="og:image" content="{lead}"></head>'
        f"<body><article><h1>Keepers of the light</h1>{PARA}"
        f'<figure><img src="{photo}" alt="The tower"><figcaption>The tower</figcaption></figure>{PARA}'
        f'<p><img src="{drawing}" alt="Map"></p>{PARA}<p><img src="{svg}" alt="Diagram"></p>{PARA}</article></body></html>'
    )
    url = page_server.add("/far/story.html", html)
    article, _ = services.article_save_url(user=user, url=url, origin="form")
    assert services.article_process(article_id=article.pk) == "ready"
    kept = ArticleImage.objects.filter(article=article, status="stored")
    assert kept.count() == 3  # photo, drawing, lead; the SVG is not kept

    origin = live_server.url
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser, page = logged_in_page(playwright, client, user, origin)
        try:

            def intercept(route):
                requests.append(route.request.url)
                if route.request.url.startswith(origin + "/"):
                    route.continue_()
                else:
                    route.abort()

            page.context.route("**/*", intercept)
            page.goto(f"{origin}/articles/{article.pk}/")
            page.wait_for_load_state("networkidle")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images below the fold
            page.wait_for_function(
                "[...document.querySelectorAll('#reader img')].every(i => i.complete && i.naturalWidth > 0)"
            )
            page.wait_for_load_state("networkidle")
            shown = page.eval_on_selector_all("#reader img", "els => els.map(e => e.getAttribute('src'))")
            placeholder = page.locator("a.folio-image-missing")
            placeholder_href = placeholder.get_attribute("href")
            placeholder_visible = placeholder.is_visible()
        finally:
            browser.close()

    assert requests, "no request was intercepted"
    foreign = [r for r in requests if not r.startswith(origin + "/")]
    assert foreign == [], foreign
    assert sorted(shown) == sorted(row.url for row in kept)
    assert any(f"/images/{row.digest}.webp" in r for r in requests for row in kept)
    assert placeholder_visible and placeholder_href == svg  # the SVG: a visible link, never loaded
    assert Article.objects.get(pk=article.pk).status == "ready"
