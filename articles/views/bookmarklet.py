"""The bookmarklet: its code (rendered with this Folio's address), the popup it opens, the save the popup
posts, and the confirmation.

How a save flows (works on pages whose CSP forbids connections to other origins):

1. The bookmarklet, running in the visited page, opens ``/save/popup/?url=…&title=…`` in a small window
   and waits for a ``{"type": "folio:ready"}`` message from that window (``event.source`` is the window it
   opened and ``event.origin`` is Folio's origin).
2. The popup shows the address and title and does nothing more until the person presses Save inside it:
   any site can open this popup, so before that act Folio saves nothing and says nothing to the opener
   (not even that the visitor is logged in; issue 21.1). On Save, with sending the page HTML switched on,
   the popup (static/js/save-popup.js) posts ``folio:ready`` targeted at the origin of the address shown.
3. The bookmarklet answers with ``{"type": "folio:page", url, title, html}`` by ``postMessage`` targeted at
   Folio's origin (postMessage is not a connection, so the page's ``connect-src`` does not apply). The popup
   accepts it only from ``window.opener``, from the address's origin and for exactly the confirmed address,
   then submits its form: a same-origin POST with the session cookie and the CSRF token. A GET never saves;
   a POST from another site fails the CSRF check and the ``Sec-Fetch-Site`` check.
4. ``save_page_view`` stores the HTML (``article_save_page``: no fetch, same extraction and sanitizing) or,
   without HTML, the address (``article_save_url``), and redirects to the confirmation, where tags can be
   added.

The bookmarklet holds no secret: it is the same for everyone on this Folio and only carries its address.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..errors import ArticleError, PageTooLargeError
from ..forms import SavePageForm, TagsAddForm
from ..limits import TITLE_MAX_LENGTH, URL_MAX_LENGTH
from ..models import Article
from ..services.account import reader_settings_get
from .library import _get_article

#: Characters left readable in the ``javascript:`` URL; everything else is percent-encoded.
_BOOKMARKLET_SAFE = "!$&'()*+,;=:@/?{}[]<>\"|._-~^"


def _allow_opener(response: HttpResponse) -> HttpResponse:
    """Let the window that opened the popup keep talking to it.

    Django sends ``Cross-Origin-Opener-Policy: same-origin`` by default, which puts a page opened from
    another origin in a new browsing context group: ``window.opener`` becomes null and postMessage between
    the two windows is impossible (HTML Standard, "Cross-origin opener policies"). The save pages are the
    only ones that need the opener, and they show nothing but the save itself.
    """
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def folio_origin(request: HttpRequest) -> str:
    """``scheme://host[:port]`` of this Folio as the browser reached it (e.g. ``http://127.0.0.1:8000``)."""
    return request.build_absolute_uri("/").rstrip("/")


def bookmarklet_code(request: HttpRequest) -> str:
    """The bookmarklet's JavaScript, minified to one line, with this Folio's origin filled in."""
    source = render_to_string(
        "articles/bookmarklet.js",
        {"origin": folio_origin(request), "popup_path": reverse("articles:save_popup")},
    )
    lines = (line.strip() for line in source.splitlines())
    code = " ".join(line for line in lines if line and not line.startswith("//"))
    # The template's string literals hold no spaces, so spaces next to punctuation can all go.
    return re.sub(r"\s*([{}()\[\];,=+|!&<>:?])\s*", r"\1", re.sub(r"\s+", " ", code))


def bookmarklet_href(request: HttpRequest) -> str:
    """The ``javascript:`` URL to drag to the bookmarks bar (percent-encoded where a URL needs it)."""
    return "javascript:" + quote(bookmarklet_code(request), safe=_BOOKMARKLET_SAFE)


def _popup_context(request: HttpRequest, form: SavePageForm) -> dict:
    return {
        "form": form,
        "send_page_html": reader_settings_get(user=request.user).send_page_html,
        "max_bytes": settings.FOLIO_PAGE_MAX_BYTES,
        "max_megabytes": settings.FOLIO_PAGE_MAX_BYTES // (1024 * 1024),
    }


@login_required
@require_GET
def save_popup_view(request: HttpRequest) -> HttpResponse:
    """GET ``/save/popup/?url=&title=``: the small window the bookmarklet opens. It shows a save form
    filled from the query string and never saves by itself (a GET never saves); only the person's Save
    inside this window asks the opener for the page and submits the form (issue 21.1)."""
    form = SavePageForm(
        initial={
            "url": request.GET.get("url", "")[:URL_MAX_LENGTH],
            "title": request.GET.get("title", "")[:TITLE_MAX_LENGTH],
        }
    )
    return _allow_opener(render(request, "articles/save_popup.html", _popup_context(request, form)))


@login_required
@require_POST
def save_page_view(request: HttpRequest) -> HttpResponse:
    """POST ``/save/``: save the page the popup posted (CSRF-protected, session-authenticated).

    With an ``html`` file (and sending HTML switched on in the settings) Folio extracts from that HTML
    and does not fetch; otherwise it fetches the address. Answers a redirect to the confirmation, or the
    form again with the reason: 400 for an unusable address, 413 for HTML over FOLIO_PAGE_MAX_BYTES.
    """
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        # Browsers send this header on every request (Fetch Metadata); CSRF already refuses a cross-site
        # POST, this refuses one even if a token leaked. Absent (old browsers, API tools): CSRF decides.
        return HttpResponseForbidden(gettext("Folio saves pages only from its own window."))
    form = SavePageForm(request.POST, request.FILES)
    code = 400
    if form.is_valid():
        upload = form.cleaned_data.get("html")
        send_html = reader_settings_get(user=request.user).send_page_html
        try:
            if upload is not None and send_html:
                if upload.size > settings.FOLIO_PAGE_MAX_BYTES:
                    megabytes = settings.FOLIO_PAGE_MAX_BYTES // (1024 * 1024)
                    raise PageTooLargeError(
                        gettext(
                            "The page is larger than the %(megabytes)d MB Folio accepts from the browser. "
                            "Save its address instead, and Folio will fetch it."
                        )
                        % {"megabytes": megabytes}
                    )
                html = upload.read().decode("utf-8", errors="replace")
                article, created = services.article_save_page(
                    user=request.user,
                    url=form.cleaned_data["url"],
                    html=html,
                    title=form.cleaned_data.get("title", ""),
                    tags=form.tag_names(),
                    origin=Article.Origin.BOOKMARKLET,
                )
            else:
                article, created = services.article_save_url(
                    user=request.user,
                    url=form.cleaned_data["url"],
                    tags=form.tag_names(),
                    origin=Article.Origin.BOOKMARKLET,
                )
        except PageTooLargeError as exc:
            form.add_error(None, exc.message)
            code = 413
        except ArticleError as exc:
            form.add_error("url", exc.message)
        else:
            if created:
                messages.success(request, gettext("Saved to Folio."))
            else:
                messages.info(
                    request, gettext("You had already saved this page; Folio has it at the top again.")
                )
            return _allow_opener(redirect("articles:save_done", pk=article.pk))
    response = render(request, "articles/save_popup.html", _popup_context(request, form), status=code)
    return _allow_opener(response)


@login_required
def save_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ``/save/<id>/``: the confirmation (title, state, tags, link to the article).
    POST: add the tags from the form, then show the confirmation again."""
    article = _get_article(request, pk)
    form = TagsAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_tags_set(article=article, names=form.tag_names())
        except ArticleError as exc:
            form.add_error("tags", exc.message)
        else:
            messages.success(request, gettext("Tags added."))
            return _allow_opener(redirect("articles:save_done", pk=article.pk))
    article = _get_article(request, pk)
    return _allow_opener(render(request, "articles/save_done.html", {"article": article, "form": form}))
