"""The installable app (issue 12): the web app manifest, the service worker at the site root, the list of
addresses the service worker keeps for offline reading, and the page it shows for an article it does not
have.

The manifest and the service worker are public (the log-in page links them too); the offline list and the
offline page are the person's own. The service worker's code is the static file static/js/sw.js, served
from ``/sw.js`` so that its scope is the whole site (a worker's scope cannot be wider than its folder
without a ``Service-Worker-Allowed`` header; W3C Service Workers, "Service worker script request").
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import FileSystemFinder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import queries

#: Colours of the installed app: the header's accent and the page background of static/css/folio.css.
THEME_COLOR = "#0b5cad"
BACKGROUND_COLOR = "#fdfdfb"


def manifest_data() -> dict:
    """The web app manifest as a dict (W3C Web Application Manifest; share_target: W3C Web Share Target
    Level 2, POST multipart so that Android sends the title, text and URL of the shared page)."""
    icons = [
        {"src": static("icons/folio-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("icons/folio-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {
            "src": static("icons/folio-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    return {
        "id": "/",
        "name": "Folio",
        "short_name": "Folio",
        "description": "Save articles and read them later, also offline.",
        "start_url": reverse("articles:library"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
        "share_target": {
            "action": reverse("articles:share"),
            "method": "POST",
            "enctype": "multipart/form-data",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }


@require_GET
def manifest_view(request: HttpRequest) -> HttpResponse:
    """``/manifest.webmanifest`` with its registered type ``application/manifest+json``."""
    body = json.dumps(manifest_data(), indent=2)
    response = HttpResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@cache
def _service_worker_source() -> bytes:
    path = finders.find("js/sw.js")
    if not path:  # pragma: no cover - the file ships with Folio
        raise FileNotFoundError("static/js/sw.js")
    with open(path, "rb") as handle:
        return handle.read()


@require_GET
def service_worker_view(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: the static service worker, from the site root so that it controls every page. Not cached
    by HTTP caches (browsers check it for updates at most every 24 hours anyway)."""
    response = HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


# --- Offline reading ----------------------------------------------------------------------------------------

#: Folders of Folio's own static files that pages use (kept by the service worker for offline pages).
OFFLINE_STATIC_FOLDERS = ("css/", "js/", "icons/")
#: Header the service worker adds when it sends a change made offline: when it was made, in milliseconds
#: since the Unix epoch (the client's clock; the services cap it at the server's time).
CHANGED_AT_HEADER = "X-Folio-Changed-At"


@cache
def offline_static_urls() -> tuple[str, ...]:
    """URLs of Folio's CSS, JS and icons (static/css, static/js, static/icons; not the service worker)."""
    paths = sorted(
        path
        for path, _storage in FileSystemFinder().list(ignore_patterns=["*.map"])
        if path.startswith(OFFLINE_STATIC_FOLDERS) and path != "js/sw.js"
    )
    return tuple(static(path) for path in paths)


def offline_change_time(request: HttpRequest) -> dt.datetime | None:
    """When a change replayed by the service worker was made (the CHANGED_AT_HEADER, milliseconds since
    the epoch) as an aware datetime, or None for a change sent at once (or a malformed header)."""
    raw = request.headers.get(CHANGED_AT_HEADER, "")
    if not raw.isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw) / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


@login_required
@require_GET
@never_cache
def offline_list_view(request: HttpRequest) -> JsonResponse:
    """``/offline/list.json``: what the service worker keeps for this person (JSON).

    ``{"static": [url], "pages": [url], "articles": [{"url", "images": [url]}], "max_pages": n,
    "max_images": n}``: Folio's static files; the library and the offline page; the reader pages of
    queries.offline_reading_list (the reader setting ``offline_articles``, default 50) with their stored
    images; the bounds of the reader and image caches (the setting plus FOLIO_OFFLINE_EXTRA_PAGES pages,
    FOLIO_OFFLINE_IMAGES_PER_ARTICLE images per page).
    """
    limit = queries.reader_settings_for(request.user).offline_articles
    max_pages = max(1, limit + settings.FOLIO_OFFLINE_EXTRA_PAGES)
    listing = queries.offline_reading_list(user=request.user, limit=limit)
    images: dict[int, list[str]] = {}
    for article_id, url in listing.images:
        images.setdefault(article_id, []).append(url)
    articles = [
        {"url": reverse("articles:reader", args=[pk]), "images": images.get(pk, [])}
        for pk in listing.article_ids
    ]
    return JsonResponse(
        {
            "static": list(offline_static_urls()),
            "pages": [reverse("articles:library"), reverse("articles:continue"), reverse("articles:offline")],
            "articles": articles,
            "max_pages": max_pages,
            "max_images": max_pages * settings.FOLIO_OFFLINE_IMAGES_PER_ARTICLE,
        }
    )


@login_required
@require_GET
def offline_view(request: HttpRequest) -> HttpResponse:
    """``/offline/``: the page the service worker shows, without a network, for an article (or any page)
    it does not keep."""
    limit = queries.reader_settings_for(request.user).offline_articles
    return render(request, "articles/offline.html", {"offline_articles": limit})
