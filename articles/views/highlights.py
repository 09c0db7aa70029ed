"""Creating and deleting highlights from the reader (plain forms; static/js/highlights.js fills the quote
from the text selection)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..errors import ArticleError, NotFoundError
from ..services.highlights import highlight_create, highlight_delete


@login_required
@require_POST
def highlight_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the posted ``quote`` (and ``note``, ``prefix``, ``suffix``, ``start``) on article ``pk``."""
    start = request.POST.get("start", "")
    anchor = {
        "prefix": request.POST.get("prefix", ""),
        "suffix": request.POST.get("suffix", ""),
        "start": int(start) if start.isdigit() else None,
    }
    try:
        highlight = highlight_create(
            user=request.user,
            article_id=pk,
            quote=request.POST.get("quote", ""),
            note=request.POST.get("note", ""),
            anchor=anchor,
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ArticleError as exc:
        messages.error(request, exc.message)
        return redirect("articles:reader", pk)
    return redirect(reverse("articles:reader", args=[pk]) + f"#highlight-{highlight.pk}")


@login_required
@require_POST
def highlight_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's highlights and go back to its article."""
    try:
        article_id = highlight_delete(user=request.user, highlight_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return redirect(reverse("articles:reader", args=[article_id]) + "#highlights")
