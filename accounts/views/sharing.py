"""Share links: the public read-only page ``/s/<token>/`` and its images, and the owner's pages (create,
list, revoke one, revoke all).

The public page shows the sanitized article (the same HTML the reader shows, from ``sanitizing.py``), its
kept images through the link, and nothing else of the library: no navigation, no script. Its answer says
``X-Robots-Tag: noindex``, ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` (a revoked link
stops at once) and a CSP that loads only Folio's own stylesheet and the article's kept images, inside a
``sandbox`` (no script, form, popup or plugin can run).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from articles import imaging
from articles import queries as article_queries
from articles.errors import ArticleError, NotFoundError
from articles.highlighting import mark_quotes
from articles.imaging import remote_images_as_links
from articles.services import media
from articles.views.media import image_response

from .. import queries
from ..forms import ShareCreateForm
from ..services import sharing

#: The public page's Content-Security-Policy (replaces the site-wide one). ``allow-same-origin`` keeps the
#: document's origin so that its images (``Cross-Origin-Resource-Policy: same-origin``) and stylesheet load.
SHARE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'; sandbox allow-same-origin"
)
#: Session key holding a just-created link until the list has shown it once.
NEW_SHARE_KEY = "folio_new_share_link"
_LOCAL_SRC = re.compile(r'(\ssrc=")/images/([0-9a-f]{64}\.(?:webp|jpg))"')


def _shared_html(html: str, token: str) -> str:
    """``html`` with every kept image's address (``/images/<digest>.<ext>``) pointed at the share's copy
    (``/s/<token>/images/<digest>.<ext>``): the owner's address answers 404 to everyone else."""
    prefix = reverse("accounts:share", kwargs={"token": token})
    return _LOCAL_SRC.sub(lambda m: f'{m.group(1)}{prefix}images/{m.group(2)}"', html)


def _start(highlight) -> int:
    """The highlight's character offset hint; 0 when the stored anchor has none or not a number (imports)."""
    anchor = highlight.anchor if isinstance(highlight.anchor, dict) else {}
    try:
        return max(0, int(anchor.get("start", 0) or 0))
    except (TypeError, ValueError):
        return 0


def _public_headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = SHARE_CSP
    # django-csp leaves a Content-Security-Policy header that is already set as it is.
    return response


@require_safe
def share_view(request: HttpRequest, token: str) -> HttpResponse:
    """``/s/<token>/``: the shared article, read-only, to anyone with the link (no log-in). 404 for an
    unknown, revoked or expired link."""
    link = queries.share_resolve(token)
    if link is None:
        raise Http404("No such link.")
    article = link.article
    highlights = list(article.highlights.all()) if link.include_highlights else []
    content_html = article.content_html or ""
    if highlights:
        content_html, _found = mark_quotes(
            content_html, [(h.quote, _start(h)) for h in highlights], article.url
        )
    content_html = _shared_html(
        remote_images_as_links(content_html, missing_text=media.missing_text()), token
    )
    lead = article_queries.article_lead_image(article=article)
    lead_url = _shared_html(f' src="{lead.url}"', token)[6:-1] if lead else ""
    sharing.share_viewed(link=link)
    context = {
        "article": article,
        "content_html": content_html,
        "highlights": highlights,
        "lead_image": lead if lead and lead.url not in (article.content_html or "") else None,
        "lead_url": lead_url,
    }
    return _public_headers(render(request, "accounts/share.html", context))


@require_safe
def share_image_view(request: HttpRequest, token: str, digest: str, ext: str) -> HttpResponse:
    """``/s/<token>/images/<sha256>.<webp|jpg>``: a kept image of the shared article only (404 for any
    other image, and for an unknown, revoked or expired link)."""
    link = queries.share_resolve(token)
    if link is None:
        raise Http404("No such link.")
    image = article_queries.article_image_get(
        digest=digest, content_type=imaging.EXTENSIONS[ext], article_id=link.article_id
    )
    response = image_response(request, image)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def shares_view(request: HttpRequest) -> HttpResponse:
    """``/account/shares/``: the person's links (which articles are shared, until when, last opened), a
    link created a moment ago shown once, revoke one, revoke all."""
    new_link = request.session.pop(NEW_SHARE_KEY, None)
    context = {"shares": queries.share_list(user=request.user), "new_link": new_link}
    return render(request, "accounts/shares.html", context)


@login_required
@require_POST
def share_create_view(request: HttpRequest) -> HttpResponse:
    """POST ``/account/shares/new/`` (article, expires_in_days, include_highlights): create a link and show
    it once on the list. 404 for someone else's article."""
    form = ShareCreateForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            gettext("The link could not be created: %(errors)s")
            % {"errors": " ".join(form.errors.get("__all__", []))},
        )
        return redirect("accounts:shares")
    try:
        link, token = sharing.share_create(
            user=request.user,
            article_id=form.cleaned_data["article"],
            expires_in_days=form.cleaned_data["expires_in_days"],
            include_highlights=form.cleaned_data["include_highlights"],
        )
    except NotFoundError as exc:
        raise Http404("No such article.") from exc
    except ArticleError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:shares")
    request.session[NEW_SHARE_KEY] = {
        "url": request.build_absolute_uri(reverse("accounts:share", kwargs={"token": token})),
        "title": link.article.display_title,
    }
    return redirect("accounts:shares")


@login_required
@require_POST
def share_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/account/shares/<id>/revoke/``: the link stops working at once (404 if not the person's)."""
    if not sharing.share_revoke(user=request.user, share_id=pk):
        raise Http404("No such link.")
    messages.success(request, gettext("The link no longer works."))
    return redirect("accounts:shares")


@login_required
@require_POST
def share_revoke_all_view(request: HttpRequest) -> HttpResponse:
    """POST ``/account/shares/revoke-all/``: every link of the person stops working."""
    count = sharing.share_revoke_all(user=request.user)
    messages.success(
        request, ngettext("%(count)d link revoked.", "%(count)d links revoked.", count) % {"count": count}
    )
    return redirect("accounts:shares")
