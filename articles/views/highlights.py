"""Creating, editing and deleting highlights from the reader: plain forms that redirect back to the article,
and, for htmx or static/js/highlights.js (header ``HX-Request: true``), the highlights section as a fragment
with the article body marked again as an out-of-band swap (templates/articles/_highlights_swap.html)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import queries
from ..errors import ArticleError, NotFoundError
from ..services.highlights import highlight_create, highlight_delete, highlight_update
from .library import _get_article, is_htmx
from .reader import reader_highlights_context


def _fragment(
    request: HttpRequest, article_id: int, error: str = "", focus: int | None = None
) -> HttpResponse:
    """The highlights section and the re-marked article body. A refused input answers 200 with the error
    shown in the section (htmx swaps only 2xx answers); nothing the person typed is stored half-way."""
    context = reader_highlights_context(_get_article(request, article_id))
    context.update(highlight_error=error, focus_highlight=focus)
    return render(request, "articles/_highlights_swap.html", context)


def _anchor(request: HttpRequest) -> dict:
    start, end = request.POST.get("start", ""), request.POST.get("end", "")
    return {
        "prefix": request.POST.get("prefix", ""),
        "suffix": request.POST.get("suffix", ""),
        "start": int(start) if start.isdigit() else None,
        "end": int(end) if end.isdigit() else None,
    }


@login_required
@require_POST
def highlight_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the posted ``quote`` (and ``note``, ``color``, ``prefix``, ``suffix``, ``start``, ``end``) on
    article ``pk`` through services.highlights.highlight_create. 404 for someone else's article."""
    try:
        highlight = highlight_create(
            user=request.user,
            article_id=pk,
            quote=request.POST.get("quote", ""),
            note=request.POST.get("note", ""),
            anchor=_anchor(request),
            color=request.POST.get("color") or None,
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ArticleError as exc:
        if is_htmx(request):
            return _fragment(request, pk, error=exc.message)
        messages.error(request, exc.message)
        return redirect("articles:reader", pk)
    if is_htmx(request):
        return _fragment(request, pk, focus=highlight.pk)
    return redirect(reverse("articles:reader", args=[pk]) + f"#highlight-{highlight.pk}")


@login_required
@require_POST
def highlight_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the ``note`` and/or ``color`` of one of the user's highlights (a field not posted is left as
    it is) through services.highlights.highlight_update. 404 for someone else's highlight."""
    note = request.POST.get("note")
    color = request.POST.get("color") or None
    try:
        highlight = highlight_update(user=request.user, highlight_id=pk, note=note, color=color)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ArticleError as exc:
        article_id = _article_of(request, pk)
        if is_htmx(request):
            return _fragment(request, article_id, error=exc.message, focus=pk)
        messages.error(request, exc.message)
        return redirect(reverse("articles:reader", args=[article_id]) + f"#highlight-{pk}")
    if is_htmx(request):
        return _fragment(request, highlight.article_id, focus=highlight.pk)
    return redirect(reverse("articles:reader", args=[highlight.article_id]) + f"#highlight-{highlight.pk}")


def _article_of(request: HttpRequest, highlight_id: int) -> int:
    article_id = queries.highlight_article_id(user=request.user, highlight_id=highlight_id)
    if article_id is None:
        raise Http404()
    return article_id


@login_required
@require_POST
def highlight_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's highlights and go back to its article (htmx: the fragment)."""
    try:
        article_id = highlight_delete(user=request.user, highlight_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if is_htmx(request):
        return _fragment(request, article_id)
    return redirect(reverse("articles:reader", args=[article_id]) + "#highlights")
