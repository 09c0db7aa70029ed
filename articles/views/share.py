"""The Web Share Target (issue 12): "Share → Folio" on a phone.

Android posts the shared page as ``multipart/form-data`` with ``title``, ``text`` and ``url`` (the fields
named in the manifest's ``share_target``, views/pwa.py). That POST comes from the operating system and
carries no CSRF token, so ``share_target_view`` is CSRF-exempt and saves nothing: it finds the address
(apps often leave ``url`` empty and write "Read this: https://…" in ``text``) and redirects to the
confirmation page with the fields in the query string. The confirmation is a normal page: logged out, the
log-in page sends the person back to it with the same query, so the share goes through after logging in.
Only the confirmation's own POST, CSRF-checked, saves, through ``services.article_save_url`` with
``origin="share"`` like every other face.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..errors import ArticleError
from ..forms import ShareForm
from ..limits import TITLE_MAX_LENGTH, URL_MAX_LENGTH
from ..models import Article
from ..urlnorm import find_url

#: Characters of shared text carried to the confirmation when it holds no address (shown to the person).
TEXT_SHOWN = 500


@csrf_exempt  # the operating system's share sheet sends no token; this view saves nothing (see above)
@require_POST
def share_target_view(request: HttpRequest) -> HttpResponse:
    """POST ``/share/`` (title, text, url; multipart or urlencoded): redirect (303) to the confirmation
    with the address found in ``url``, else ``text``, else ``title``. Never saves."""
    title = request.POST.get("title", "")
    text = request.POST.get("text", "")
    url = find_url(request.POST.get("url", ""), text, title)
    query = {"url": url[:URL_MAX_LENGTH], "title": " ".join(title.split())[:TITLE_MAX_LENGTH]}
    if not url:
        query["text"] = text[:TEXT_SHOWN]
    response = redirect(reverse("articles:share_confirm") + "?" + urlencode(query))
    response.status_code = 303
    return response


@login_required
@require_http_methods(["GET", "POST"])
def share_confirm_view(request: HttpRequest) -> HttpResponse:
    """GET ``/share/confirm/?url=&title=[&text=]``: the form to confirm the save and add tags (a GET never
    saves). POST (CSRF-checked): save through ``article_save_url(origin="share")`` and go to the library;
    an unusable address shows the form again with the reason (400)."""
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                article, created = services.article_save_url(
                    user=request.user,
                    url=form.cleaned_data["url"],
                    title=form.cleaned_data["title"],
                    tags=form.tag_names(),
                    origin=Article.Origin.SHARE,
                )
            except ArticleError as exc:
                form.add_error("url", exc.message)
            else:
                if created:
                    messages.success(
                        request, gettext("Saved to Folio: %(title)s") % {"title": article.display_title}
                    )
                else:
                    messages.info(
                        request, gettext("You had already saved this page; Folio has it at the top again.")
                    )
                return redirect("articles:library")
        return render(request, "articles/share_confirm.html", {"form": form}, status=400)
    form = ShareForm(
        initial={
            "url": request.GET.get("url", "")[:URL_MAX_LENGTH],
            "title": request.GET.get("title", "")[:TITLE_MAX_LENGTH],
        }
    )
    context = {"form": form, "shared_text": request.GET.get("text", "")[:TEXT_SHOWN]}
    return render(request, "articles/share_confirm.html", context)
