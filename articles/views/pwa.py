"""The installable app (issue 12): the web app manifest, the service worker at the site root, the list of
addresses the service worker keeps for offline reading, and the page it shows for an article it does not
have.

The manifest and the service worker are public (the log-in page links them too); the offline list and the
offline page are the person's own. The service worker's code is the static file static/js/sw.js, served
from ``/sw.js`` so that its scope is the whole site (a worker's scope cannot be wider than its folder
without a ``Service-Worker-Allowed`` header; W3C Service Workers, "Service worker script request").
"""

from __future__ import annotations

import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

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
