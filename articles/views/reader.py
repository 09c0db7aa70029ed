"""The reader page of one article."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..highlighting import mark_quotes
from .library import _get_article


@login_required
def reader_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Title, byline, lead image and the sanitized article body of one of the user's articles."""
    article = _get_article(request, pk)
    highlights = list(article.highlights.all())
    content_html, _found = mark_quotes(
        article.content_html, [(h.quote, h.anchor.get("start", 0) or 0) for h in highlights], article.url
    )
    return render(
        request, "articles/reader.html", {"article": article, "content_html": content_html, "highlights": highlights}
    )
