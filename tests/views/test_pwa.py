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
