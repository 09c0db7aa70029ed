"""Static delivery (issue 19, item 2): hashed static files answer compressed (brotli, or gzip) with a
one-year immutable Cache-Control; HTML pages are gzipped; the favicon exists at the site's root."""

from __future__ import annotations

import gzip

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

pytestmark = pytest.mark.django_db

ONE_YEAR = "max-age=31536000, public, immutable"


@pytest.fixture
def collected(settings, tmp_path):
    """Production's static set-up: the hashed, compressed files collected into a fresh STATIC_ROOT (the
    admin's and the API docs' files left out, to keep the test short)."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command(
        "collectstatic",
        "--noinput",
        "-v0",
        "-i",
        "admin",
        "-i",
        "drf_spectacular_sidecar",
        "-i",
        "rest_framework",
    )
    return settings.STATIC_ROOT


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_hashed_asset_is_compressed_and_cached_for_a_year(collected, encoding):
    url = static("css/folio.css")
    assert url.startswith("/static/css/folio.") and url.endswith(".css") and url != "/static/css/folio.css"
    response = Client().get(url, headers={"accept-encoding": encoding})
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert response["Cache-Control"] == ONE_YEAR
    assert "Accept-Encoding" in response["Vary"]
    body = b"".join(response.streaming_content)
    plain = (collected / "css").glob("folio.*.css")
    assert len(body) < min(p.stat().st_size for p in plain) / 2


def test_pages_link_the_hashed_files(collected, client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert static("css/folio.css") in html and static("js/htmx.min.js") in html
    assert 'rel="icon"' in html


def test_html_is_gzipped(client, user):
    client.force_login(user)
    response = client.get("/", headers={"accept-encoding": "gzip, br"})
    assert response["Content-Encoding"] == "gzip"
    assert b"<!DOCTYPE html>" in gzip.decompress(response.content)


def test_favicon_at_the_root():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
