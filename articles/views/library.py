"""The library page (list and save form), the live status badge, and retry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import queries, services
from ..errors import ArticleError
from ..forms import SaveForm
from ..models import Article

PAGE_SIZE = 50


def _get_article(request: HttpRequest, pk: int) -> Article:
    try:
        return queries.article_get(user=request.user, pk=pk)
    except Article.DoesNotExist as exc:
        raise Http404("No such article") from exc


@login_required
def library_view(request: HttpRequest) -> HttpResponse:
    """GET: the user's articles, newest first. POST: save the URL from the form."""
    form = SaveForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                article, created = services.article_save_url(
                    user=request.user, url=form.cleaned_data["url"], tags=form.tag_names()
                )
            except ArticleError as exc:
                form.add_error("url", exc.message)
            else:
                if created:
                    messages.success(request, "Saved. Folio is fetching the article.")
                else:
                    messages.info(request, "You had already saved this article; it is back at the top.")
                return redirect("articles:library")
    articles = list(queries.article_list(user=request.user)[:PAGE_SIZE])
    return render(request, "articles/library.html", {"form": form, "articles": articles})


@login_required
@require_GET
def article_row_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The row of one article (htmx polls it while the article is queued or fetching)."""
    article = _get_article(request, pk)
    return render(request, "articles/_article_row.html", {"article": article})


@login_required
@require_POST
def article_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed (or any) article again."""
    article = _get_article(request, pk)
    services.article_retry(user=request.user, ids=[article.pk])
    if request.headers.get("HX-Request"):
        article.refresh_from_db()
        return render(request, "articles/_article_row.html", {"article": article})
    messages.info(request, "Folio will fetch the article again.")
    return redirect(request.POST.get("next") or "articles:library")
