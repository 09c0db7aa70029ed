"""A share link in Chromium, logged out (issue 16 item 5): the page shows the article and its kept images,
and every request it makes goes to Folio's origin (the images were on another origin, the local page
server); after revoking, the same address is a 404."""

from __future__ import annotations

import os

import pytest

from accounts.services import sharing
from articles import services
from articles.models import ArticleImage
from tests import imagefiles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.conftest import image_folder_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARA = "<p>" + " ".join(["The lock keeper opened the gates at dawn for the barges."] * 6) + "</p>"


@pytest.fixture
def image_store(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "images": image_folder_storage(tmp_path / "images")}


def test_shared_page_logged_out_makes_no_third_party_request(live_server, page_server, user, image_store):
    photo = page_server.add(
        "/canal/photo.jpg", imagefiles.photo(900, 600), headers={"Content-Type": "image/jpeg"}
    )
    lead = page_server.add(
        "/canal/lead.jpg", imagefiles.photo(640, 360), headers={"Content-Type": "image/jpeg"}
    )
    html = (
        f'<html><head><title>The canal</title><meta property="og:image" content="{lead}"></head>'
        f"<body><article><h1>The canal</h1>{PARA}"
        f'<figure><img src="{photo}" alt="The lock"><figcaption>The lock</figcaption></figure>{PARA}{PARA}'
        "</article></body></html>"
    )
    article, _ = services.article_save_url(
        origin="form", user=user, url=page_server.add("/canal/story.html", html)
    )
    assert services.article_process(article_id=article.pk) == "ready"
    assert ArticleImage.objects.filter(article=article, status="stored").count() == 2
    link, token = sharing.share_create(user=user, article_id=article.pk)

    origin = live_server.url
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()

            def intercept(route):
                requests.append(route.request.url)
                if route.request.url.startswith(origin + "/"):
                    route.continue_()
                else:
                    route.abort()

            page.context.route("**/*", intercept)
            page.goto(f"{origin}/s/{token}/")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_function(
                "[...document.querySelectorAll('#reader img')].length === 2 && "
                "[...document.querySelectorAll('#reader img')].every(i => i.complete && i.naturalWidth > 0)"
            )
            page.wait_for_load_state("networkidle")
            title = page.locator("#reader-title").inner_text()
            scripts = page.evaluate("document.scripts.length")
            sharing.share_revoke(user=user, share_id=link.pk)
            after = page.goto(f"{origin}/s/{token}/")
            status_after = after.status if after else None
        finally:
            browser.close()

    assert title == "The canal" and scripts == 0
    foreign = [r for r in requests if not r.startswith(origin + "/")]
    assert foreign == [], foreign
    assert sum(f"/s/{token}/images/" in r for r in requests) == 2
    assert status_after == 404
