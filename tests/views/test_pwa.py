"""The installable app (issue 12 item 1): the manifest and the service worker are served from the site root
with the right types, and every page links them."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_manifest_is_served_with_its_type_and_declares_what_installing_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Folio" and manifest["short_name"] == "Folio"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and b"".join(image.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    share = manifest["share_target"]
    assert share["action"] == reverse("articles:share") and share["method"] == "POST"
    assert share["enctype"] == "multipart/form-data"
    assert share["params"] == {"title": "title", "text": "text", "url": "url"}


@pytest.mark.django_db
def test_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert b"addEventListener" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True])
def test_pages_link_the_manifest_and_register_the_worker_from_a_static_file(client, user, logged_in):
    if logged_in:
        client.force_login(user)
    html = client.get(reverse("articles:library") if logged_in else reverse("login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "js/pwa.js" in html
    assert "<script>" not in html  # no inline script (CSP)


@pytest.mark.django_db
def test_offline_list_is_the_users_newest_unread_continue_reading_first(client, user, other_user):
    from django.utils import timezone

    from articles.models import ArticleImage
    from tests.factories import ArticleFactory, ReaderSettingsFactory

    ReaderSettingsFactory(user=user, offline_articles=3)
    now = timezone.now()
    old_reading = ArticleFactory(
        user=user,
        ready=True,
        saved_at=now - timezone.timedelta(days=9),
        progress_percent=30.0,
        progress_updated_at=now,
    )
    newest = [
        ArticleFactory(user=user, ready=True, saved_at=now - timezone.timedelta(hours=h)) for h in range(4)
    ]
    ArticleFactory(user=user, ready=True, read=True)
    ArticleFactory(user=user, ready=True, archived=True)
    ArticleFactory(user=user)  # still queued
    ArticleFactory(user=other_user, ready=True)
    ArticleImage.objects.create(
        article=newest[0],
        user=user,
        source_url="https://example.com/a.png",
        status="stored",
        digest="a" * 64,
        content_type="image/webp",
    )
    client.force_login(user)
    response = client.get(reverse("articles:offline_list"))
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    listing = response.json()
    assert [a["url"] for a in listing["articles"]] == [
        reverse("articles:reader", args=[pk]) for pk in (old_reading.pk, newest[0].pk, newest[1].pk)
    ]
    assert listing["articles"][1]["images"] == [f"/images/{'a' * 64}.webp"]
    assert reverse("articles:offline") in listing["pages"] and "/" in listing["pages"]
    assert "/static/css/folio.css" in listing["static"] and "/static/js/sw.js" not in listing["static"]
    assert listing["max_pages"] == 3 + 20


@pytest.mark.django_db
def test_offline_pages_need_a_log_in_and_the_setting_is_saved(client, user):
    assert client.get(reverse("articles:offline_list")).status_code == 302
    client.force_login(user)
    assert "Not available offline" in client.get(reverse("articles:offline")).content.decode()
    form = {"font": "serif", "font_size": 19, "line_height": "1.6", "column_width": 38, "theme": "system"}
    client.post(reverse("articles:reader_settings"), {**form, "offline_articles": 12})
    assert user.reader_settings.__class__.objects.get(user=user).offline_articles == 12
    response = client.post(reverse("articles:reader_settings"), {**form, "offline_articles": 9999})
    assert (
        response.status_code == 200
        and user.reader_settings.__class__.objects.get(user=user).offline_articles == 12
    )
