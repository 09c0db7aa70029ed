"""Highlights: a passage of one of the person's articles, with an optional note.

One door for every face (the reader, imports' highlights go through ``saving.article_save_many``, the
wallabag annotations API). The anchor (where the quote sits) is kept as the client gave it, so that each
client finds its own positions again (Folio's reader: ``start``, ``prefix``, ``suffix``; wallabag apps:
``ranges``), with two limits: it must be a JSON object of at most HIGHLIGHT_ANCHOR_MAX_BYTES, and a
``start`` that is not a text offset (a non-negative integer) is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.utils.translation import gettext

from ..errors import ArticleError, ArticleNotFound, HighlightNotFound
from ..highlighting import MAX_QUOTE_LENGTH, reanchor, text_of
from ..limits import HIGHLIGHT_ANCHOR_MAX_BYTES, HIGHLIGHT_NOTE_MAX_LENGTH
from ..models import Article, Highlight
from .events import HIGHLIGHT_CREATED, emit

#: Longest text around the quote kept in the anchor (``prefix`` before it, ``suffix`` after it).
CONTEXT_LENGTH = 64
#: Largest text offset accepted as ``start``.
MAX_START = 10_000_000


def highlight_anchor_clean(anchor: Mapping | None) -> dict:
    """The anchor to store: a copy of ``anchor`` with ``prefix``/``suffix`` cut to CONTEXT_LENGTH
    characters and a ``start`` or ``end`` that is not an integer in [0, MAX_START) dropped. Raises
    ArticleError when it is not an object, is larger than HIGHLIGHT_ANCHOR_MAX_BYTES as JSON (UTF-8), or
    holds a NUL character or a lone surrogate (text PostgreSQL cannot store)."""
    if anchor is None:
        return {}
    if not isinstance(anchor, Mapping):
        raise ArticleError(gettext("A highlight's position must be a JSON object."))
    clean = {str(k): v for k, v in anchor.items() if v not in (None, "")}
    for key in ("prefix", "suffix"):
        value = clean.get(key)
        if isinstance(value, str):
            clean[key] = value[-CONTEXT_LENGTH:] if key == "prefix" else value[:CONTEXT_LENGTH]
        elif key in clean:
            del clean[key]
    for key in ("start", "end"):  # text offsets (the TextPositionSelector hint)
        value = clean.get(key)
        if key in clean and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_START
        ):
            del clean[key]
    try:
        # UTF-8 as stored: a lone surrogate fails to encode (ValueError), and a NUL character is refused
        # too, since PostgreSQL's jsonb holds neither (the API's fuzzing sent both: a 500 before).
        encoded = json.dumps(clean, ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise ArticleError(gettext("A highlight's position must be plain JSON.")) from exc
    if b"\\u0000" in encoded or b"\x00" in encoded:
        raise ArticleError(gettext("A highlight's position must be plain JSON."))
    size = len(encoded)
    if size > HIGHLIGHT_ANCHOR_MAX_BYTES:
        raise ArticleError(gettext("A highlight's position is too large."))
    return clean


def _clean_text(quote: str, note: str) -> tuple[str, str]:
    quote = " ".join((quote or "").split())
    if not quote:
        raise ArticleError(gettext("Select the passage to highlight first."))
    if len(quote) > MAX_QUOTE_LENGTH:
        raise ArticleError(
            gettext("A highlight can have at most %(max)d characters.") % {"max": MAX_QUOTE_LENGTH}
        )
    note = (note or "").strip()
    if len(note) > HIGHLIGHT_NOTE_MAX_LENGTH:
        raise ArticleError(
            gettext("A note can have at most %(max)d characters.") % {"max": HIGHLIGHT_NOTE_MAX_LENGTH}
        )
    return quote, note


def _clean_color(color: str | None) -> str:
    color = color or Highlight.Color.YELLOW
    if color not in Highlight.Color.values:
        raise ArticleError(
            gettext("A highlight's colour is one of %(colours)s.")
            % {"colours": ", ".join(Highlight.Color.values)}
        )
    return color


def highlight_create(
    *,
    user: User,
    article_id: int,
    quote: str,
    note: str = "",
    anchor: Mapping | None = None,
    color: str | None = None,
) -> Highlight:
    """Store a highlight on the user's article ``article_id``: ``quote`` (white space collapsed, at most
    MAX_QUOTE_LENGTH characters), ``note`` (at most 10,000), ``anchor`` (see highlight_anchor_clean),
    ``color`` (one of ``Highlight.Color``; None or "" is yellow).

    Raises ArticleNotFound for an article that is not one of the user's, ArticleError for an empty or
    too long quote or note, an unknown colour, or a bad anchor.
    """
    article = Article.objects.filter(pk=article_id, user=user, deleted_at__isnull=True).first()
    if article is None:
        raise ArticleNotFound()
    quote, note = _clean_text(quote, note)
    highlight = Highlight.objects.create(
        article=article,
        quote=quote,
        note=note,
        anchor=highlight_anchor_clean(anchor),
        color=_clean_color(color),
    )
    emit(HIGHLIGHT_CREATED, user_id=user.pk, article_id=article.pk, highlight_id=highlight.pk)
    return highlight


def highlight_build_for_import(
    *, article_id: int, quote: str, note: str = "", anchor: object = None, created_at=None
) -> Highlight | None:
    """An unsaved Highlight for a bulk insert by the import door (``saving.article_save_many``), held to
    the same limits as highlight_create: ``None`` for an empty or too long quote or note (the import
    skips it); an anchor that highlight_anchor_clean refuses is dropped (the highlight keeps its quote and
    is found by text), so no imported position can break the reader (issue 21.6)."""
    try:
        quote, note = _clean_text(quote, note)
    except ArticleError:
        return None
    try:
        clean_anchor = highlight_anchor_clean(anchor if isinstance(anchor, Mapping) else None)
    except ArticleError:
        clean_anchor = {}
    highlight = Highlight(article_id=article_id, quote=quote, note=note, anchor=clean_anchor)
    if created_at is not None:
        highlight.created_at = created_at
    return highlight


def _highlight(user: User, highlight_id: int) -> Highlight:
    highlight = Highlight.objects.filter(pk=highlight_id, article__user=user).first()
    if highlight is None:
        raise HighlightNotFound()
    return highlight


def highlight_get(*, user: User, highlight_id: int) -> Highlight:
    """One of the user's highlights on a live article, with its article. Raises HighlightNotFound for
    anyone else's, a missing one, or one whose article is deleted."""
    highlight = (
        Highlight.objects.select_related("article")
        .filter(pk=highlight_id, article__user=user, article__deleted_at__isnull=True)
        .first()
    )
    if highlight is None:
        raise HighlightNotFound()
    return highlight


def highlight_list(
    *,
    user: User,
    query: str = "",
    tag: str = "",
    color: str = "",
    article_id: int | None = None,
):
    """The user's highlights on live articles, newest first, narrowed by a search (the query language,
    read over quote, note and title), a tag name, a colour and an article: the highlights library's
    selection (services.highlights_library.highlight_queryset), for the API and other faces. An article
    id that is not one of the user's live articles raises ArticleNotFound; an unknown colour
    ArticleError."""
    from .highlights_library import highlight_queryset

    if (
        article_id is not None
        and not Article.objects.filter(pk=article_id, user=user, deleted_at__isnull=True).exists()
    ):
        raise ArticleNotFound()
    return highlight_queryset(user=user, query=query, tag=tag, color=color, article_id=article_id)


def highlight_update(
    *,
    user: User,
    highlight_id: int,
    quote: str | None = None,
    note: str | None = None,
    anchor: Mapping | None = None,
    color: str | None = None,
) -> Highlight:
    """Change the given parts of one of the user's highlights (None leaves a part as it is). Same limits
    as highlight_create. Raises HighlightNotFound, ArticleError."""
    highlight = _highlight(user, highlight_id)
    new_quote, new_note = _clean_text(
        highlight.quote if quote is None else quote, highlight.note if note is None else note
    )
    highlight.quote, highlight.note = new_quote, new_note
    if anchor is not None:
        highlight.anchor = highlight_anchor_clean(anchor)
    if color is not None:
        highlight.color = _clean_color(color)
    highlight.save(update_fields=["quote", "note", "anchor", "color"])
    return highlight


def highlight_delete(*, user: User, highlight_id: int) -> int:
    """Delete one of the user's highlights; returns its article's id. Raises HighlightNotFound."""
    highlight = _highlight(user, highlight_id)
    article_id = highlight.article_id
    highlight.delete()
    return article_id


def highlights_reanchor(*, article: Article) -> tuple[int, int]:
    """Place the highlights of ``article`` again in its current ``content_html`` after a re-extraction
    (services.processing.article_store_extraction): each anchor gets the quote's new ``start``/``end``
    and ``prefix``/``suffix`` (highlighting.reanchor, the W3C Web Annotation text quote + position); a
    highlight whose quote is no longer in the text keeps its old anchor with ``"orphaned": true``, so the
    reader lists it as one that can no longer be placed instead of losing it. Returns
    ``(placed, orphaned)`` counts. One UPDATE per changed highlight (an article has few)."""
    highlights = list(Highlight.objects.filter(article=article))
    if not highlights:
        return 0, 0
    text = text_of(article.content_html or "")
    placed = orphaned = 0
    for highlight in highlights:
        old = highlight.anchor if isinstance(highlight.anchor, dict) else {}
        new = reanchor(text, highlight.quote, old, CONTEXT_LENGTH)
        if new is None:
            orphaned += 1
            new = {**old, "orphaned": True}
        else:
            placed += 1
        if new != old:
            highlight.anchor = new
            highlight.save(update_fields=["anchor"])
    return placed, orphaned
