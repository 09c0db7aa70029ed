"""The search page (full page or htmx results partial) and saved searches (save, delete, sidebar list)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .. import search, services
from ..errors import ArticleError
from ..queries import LIST_FIELDS
from .library import safe_next

RESULT_FIELDS = (*LIST_FIELDS, "published", "author", "language")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """GET ``?q=QUERY&page=N``: ranked results with highlighted passages; htmx gets only the results."""
    query = request.GET.get("q", "")[:1000]
    page = search.article_search(
        user=request.user, query=query, page=_page_number(request.GET.get("page")), fields=RESULT_FIELDS
    )
    context = {"q": query, "page": page, "reader_suffix": "?" + urlencode({"q": query}) if query else ""}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render(request, "articles/_search_results.html", context)
    context["saved_searches"] = search.saved_search_counts(user=request.user)
    return render(request, "articles/search.html", context)


@login_required
@require_POST
def saved_search_create_view(request: HttpRequest) -> HttpResponse:
    """POST name + q: save the query under the name, then show its results."""
    query = request.POST.get("q", "")
    try:
        saved = services.saved_search_create(
            user=request.user, name=request.POST.get("name", ""), query=query
        )
    except ArticleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Saved the search “%(name)s”.") % {"name": saved.name})
    return redirect(reverse("articles:search") + ("?" + urlencode({"q": query}) if query else ""))


@login_required
@require_POST
def saved_search_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: delete one saved search, then back to ``next`` if it is on this site (else the search page:
    an address on another site, or ``javascript:``, is ignored; issue 21.9)."""
    if services.saved_search_delete(user=request.user, pk=pk):
        messages.info(request, gettext("Saved search deleted."))
    return redirect(safe_next(request, "articles:search"))


@login_required
@require_GET
def saved_searches_view(request: HttpRequest) -> HttpResponse:
    """The saved searches with their counts: the sidebar partial for htmx, a page otherwise."""
    context = {"saved_searches": search.saved_search_counts(user=request.user)}
    if request.headers.get("HX-Request"):
        return render(request, "articles/_saved_searches.html", context)
    return render(request, "articles/saved_searches.html", context)
