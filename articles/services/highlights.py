"""Highlights: a passage of one of the person's articles, with an optional note."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from ..errors import ArticleError
from ..highlighting import MAX_QUOTE_LENGTH
from ..models import Article, Highlight

MAX_NOTE_LENGTH = 10_000


def highlight_create(
    *, user: AbstractBaseUser, article_id: int, quote: str, note: str = "", anchor: dict | None = None
) -> Highlight:
    """Store a highlight on the user's article ``article_id``. ``anchor`` may hold ``start`` (text offset
    in the article), ``prefix`` and ``suffix`` (up to 64 characters around the quote).

    Raises Article.DoesNotExist for someone else's article and ArticleError for an empty or too long quote.
    """
    article = Article.objects.get(pk=article_id, user=user, deleted_at__isnull=True)
    quote = " ".join((quote or "").split())
    if not quote:
        raise ArticleError("Select the passage to highlight first.")
    if len(quote) > MAX_QUOTE_LENGTH:
        raise ArticleError(f"A highlight can have at most {MAX_QUOTE_LENGTH} characters.")
    if len(note or "") > MAX_NOTE_LENGTH:
        raise ArticleError(f"A note can have at most {MAX_NOTE_LENGTH} characters.")
    clean_anchor: dict = {}
    for key in ("prefix", "suffix"):
        value = (anchor or {}).get(key)
        if isinstance(value, str) and value:
            clean_anchor[key] = value[-64:] if key == "prefix" else value[:64]
    start = (anchor or {}).get("start")
    if isinstance(start, int) and 0 <= start < 10_000_000:
        clean_anchor["start"] = start
    return Highlight.objects.create(
        article=article, quote=quote, note=(note or "").strip(), anchor=clean_anchor
    )


def highlight_delete(*, user: AbstractBaseUser, highlight_id: int) -> int:
    """Delete one of the user's highlights; returns the article id. Raises Highlight.DoesNotExist."""
    highlight = Highlight.objects.select_related("article").get(pk=highlight_id, article__user=user)
    article_id = highlight.article_id
    highlight.delete()
    return article_id
