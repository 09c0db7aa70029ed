"""Kept images: serving a stored image to the people who may see it, and the progress of an image job.

``image_response`` is the one way a stored image reaches a browser: any view that has decided who may see
which images (the owner here; a share link later: ``queries.article_image_get(article_id=...)``) ends in
it, so every image answer carries the same headers.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from .. import imaging, queries
from ..models import ArticleImage
from ..services import media
from ..tokens import api_token_authenticate

#: A stored image never changes (its name is the digest of its bytes): browsers and the offline cache may
#: keep it for a year without asking again (RFC 9111 §5.2.2.1; RFC 8246 ``immutable``). ``private``: it is
#: one person's, shared caches must not keep it.
CACHE_CONTROL = "private, max-age=31536000, immutable"
#: The image is never a document: no script, no plugin, no form can run from it even if opened on its own
#: (CSP Level 3 ``sandbox``), and nothing may load from it.
IMAGE_CSP = "default-src 'none'; sandbox"


def _headers(response: HttpResponse, image: ArticleImage) -> HttpResponse:
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = f'"{image.digest}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Vary"] = "Cookie"
    return response


def image_response(request: HttpRequest, image: ArticleImage | None) -> HttpResponse:
    """The answer for a stored image the caller has checked the viewer may see (None: 404).

    200 with the file streamed from the ``images`` storage, its own Content-Type (``image/webp`` or
    ``image/jpeg``, never taken from the original site), Content-Length, ``X-Content-Type-Options:
    nosniff``, ``Content-Security-Policy: default-src 'none'; sandbox``, ``Cross-Origin-Resource-Policy:
    same-origin`` and ``Cache-Control: private, max-age=31536000, immutable``; 304 when ``If-None-Match``
    names its ETag (the digest). Raises Http404 when there is no image or its file is gone.
    """
    if image is None:
        raise Http404("No such image.")
    if f'"{image.digest}"' in parse_etags(request.headers.get("If-None-Match", "")):
        return _headers(HttpResponseNotModified(), image)
    try:
        handle = media.image_storage().open(media.image_name(image.digest, image.extension))
    except OSError as exc:
        raise Http404("The image file is missing.") from exc
    response = FileResponse(handle, content_type=image.content_type)
    if image.byte_size:
        response["Content-Length"] = str(image.byte_size)
    return _headers(response, image)


def _viewer(request: HttpRequest):
    """The person asking: the session's, or the owner of a personal API token (``Authorization: Token
    <key>``), so that API clients can show the images of the ``content_html`` they read; else None."""
    if request.user.is_authenticated:
        return request.user
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "token" and key.strip():
        token = api_token_authenticate(key.strip())
        return token.user if token is not None else None
    return None


@require_safe
def image_view(request: HttpRequest, digest: str, ext: str) -> HttpResponse:
    """``/images/<sha256>.<webp|jpg>``: one of the viewer's own kept images (session or API token). Anyone
    else (logged out included) gets 404, never a redirect to the log-in page (an image has nowhere to show
    it)."""
    viewer = _viewer(request)
    if viewer is None:
        raise Http404("No such image.")
    image = queries.article_image_get(digest=digest, content_type=imaging.EXTENSIONS[ext], user=viewer)
    return image_response(request, image)


@login_required
def image_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of one of the viewer's image jobs: a page, or (htmx, polled every 2 s while it works)
    the progress block alone."""
    job = queries.image_job_get(user=request.user, pk=pk)
    if job is None:
        raise Http404("No such job.")
    template = "articles/_image_job.html" if request.headers.get("HX-Request") else "articles/image_job.html"
    return render(request, template, {"job": job})
