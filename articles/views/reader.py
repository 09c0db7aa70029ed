"""The reader page of one article, its reading-progress endpoint and the title edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import queries, services
from ..errors import ArticleError
from ..highlighting import anchor_start, mark_highlights
from ..imaging import remote_images_as_links
from ..models import Highlight
from ..rows import extraction_summary
from ..services import media
from .library import _get_article, is_htmx
from .pwa import offline_change_time


@login_required
def reader_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Title, byline, lead image and the sanitized article body of one of the user's articles, with the
    actions toolbar, the details panel and the saved reading position (restored by static/js/reader.js)."""
    article = _get_article(request, pk)
    context = reader_highlights_context(article)
    lead_image = queries.article_lead_image(article=article)
    context.update(
        {
            "lead_image": lead_image
            if lead_image and lead_image.url not in context["content_html"]
            else None,
            "tags": queries.tag_list(user=request.user),
            "extraction_summary": extraction_summary(article.extraction_log),
        }
    )
    return render(request, "articles/reader.html", context)


def reader_highlights_context(article) -> dict:
    """``article``, its ``highlights`` (each with ``placed``: False when its quote is no longer in the
    text, as services.highlights.highlights_reanchor flags ``orphaned`` at a re-extraction) and ``content_html``, the body with every
    placed highlight marked (``<mark data-highlight-id data-color>``, highlighting.mark_highlights).
    Shared by the reader page and the highlight views' htmx fragments."""
    highlights = list(article.highlights.all())
    content_html, found = mark_highlights(
        article.content_html,
        [(h.pk, h.quote, anchor_start(h.anchor), h.color) for h in highlights],
        article.url,
    )
    for h in highlights:
        h.placed = h.pk in found
    # Only Folio's own images load (CSP img-src 'self'): images of an article saved before Folio kept them
    # show as links until "Keep images" runs. The lead image is shown when the body does not hold it.
    content_html = remote_images_as_links(content_html, missing_text=media.missing_text())
    return {
        "article": article,
        "highlights": highlights,
        "content_html": content_html,
        "highlight_colors": Highlight.Color.choices,
    }


@login_required
@require_POST
def article_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the reading position sent by reader.js: ``percent`` (0-100) and ``paragraph`` (index of the
        block nearest the top of the screen), through services.article_update (at or past FINISHED_PERCENT the
        article is marked read; a position sent later by the service worker carries the time it was reached, and
    an older one than the server's is ignored: pwa.offline_change_time). Answers JSON ``{"percent", "paragraph", "finished", "read"}``; 400 for values
        that are not numbers, 404 for someone else's article."""
    try:
        percent = float(request.POST.get("percent", ""))
        paragraph = int(request.POST.get("paragraph", "0"))
    except ValueError:
        return JsonResponse({"error": "percent and paragraph must be numbers"}, status=400)
    if percent != percent:  # NaN
        return JsonResponse({"error": "percent must be a number"}, status=400)
    was_read = _get_article(request, pk).is_read
    article = services.article_update(
        user=request.user,
        pk=pk,
        progress_percent=percent,
        progress_paragraph=paragraph,
        changed_at=offline_change_time(request),
    )
    return JsonResponse(
        {
            "percent": article.progress_percent,
            "paragraph": article.progress_paragraph,
            "finished": article.is_read and not was_read,
            "read": article.is_read,
        }
    )


@login_required
@require_POST
def article_title_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the article's title (from the details panel) through services.article_update: a blank title
    is refused with a message. htmx gets the new heading."""
    article = _get_article(request, pk)
    try:
        article = services.article_update(
            user=request.user, pk=article.pk, title=request.POST.get("title", "")
        )
    except ArticleError as exc:
        if is_htmx(request):
            return render(
                request, "articles/_reader_title.html", {"article": article, "error": exc.message}, status=400
            )
        messages.error(request, exc.message)
        return redirect("articles:reader", pk=article.pk)
    if is_htmx(request):
        return render(request, "articles/_reader_title.html", {"article": article})
    messages.success(request, gettext("Title changed."))
    return redirect("articles:reader", pk=article.pk)
