"""Highlights shown in place: wrap each highlight's quote in ``<mark>`` inside sanitized article HTML.

Pure (no ORM). The quote is searched in the text of the HTML with white space matched loosely (exports
re-flow lines), and may span several elements: each text run inside the match gets its own ``<mark>``.
The result goes through ``sanitizing.clean`` again before a template prints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.etree
import lxml.html

from . import sanitizing

MAX_QUOTE_LENGTH = 5000


def _segments(root: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str, int, str]]:
    """Text runs in document order: ``(element, "text" | "tail", start offset, string)``."""
    runs: list[tuple[lxml.html.HtmlElement, str, int, str]] = []
    offset = 0

    def walk(element: lxml.html.HtmlElement) -> None:
        nonlocal offset
        if element.text:
            runs.append((element, "text", offset, element.text))
            offset += len(element.text)
        for child in element:
            if not isinstance(child.tag, str):
                continue
            walk(child)
            if child.tail:
                runs.append((child, "tail", offset, child.tail))
                offset += len(child.tail)

    walk(root)
    return runs


def _pattern(quote: str) -> re.Pattern[str] | None:
    words = quote[:MAX_QUOTE_LENGTH].split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def anchor_start(anchor: object) -> int:
    """The text offset a stored anchor gives as ``start`` (Folio's reader), or 0 when there is none or it
    is not a non-negative integer: rows written before the highlights service checked anchors, or by hand,
    must not break the reader (issue 21.6)."""
    start = anchor.get("start") if isinstance(anchor, dict) else None
    return start if isinstance(start, int) and not isinstance(start, bool) and start >= 0 else 0


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _best_match(text: str, quote: str, hint: int = 0, prefix: str = "", suffix: str = ""):
    """The match of ``quote`` in ``text`` whose surroundings agree most with ``prefix``/``suffix`` (number of
    characters equal, white space collapsed), the one nearest ``hint`` among equals; None when absent."""
    pattern = _pattern(quote)
    if pattern is None:
        return None
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    before_want = " ".join(prefix.split())[::-1]
    after_want = " ".join(suffix.split())

    def score(m: re.Match[str]) -> tuple[int, int]:
        context = 0
        if before_want:
            before = " ".join(text[max(0, m.start() - 2 * len(prefix) - 8) : m.start()].split())
            context += _common_prefix(before[::-1], before_want)
        if after_want:
            after = " ".join(text[m.end() : m.end() + 2 * len(suffix) + 8].split())
            context += _common_prefix(after, after_want)
        return (-context, abs(m.start() - hint))

    return min(matches, key=score)


def _mark(
    root: lxml.html.HtmlElement, quote: str, hint: int = 0, attributes: dict[str, str] | None = None
) -> bool:
    runs = _segments(root)
    text = "".join(run[3] for run in runs)
    match = _best_match(text, quote, hint)
    if match is None:
        return False
    start, end = match.span()
    for element, kind, run_start, string in reversed(runs):
        run_end = run_start + len(string)
        if run_end <= start or run_start >= end:
            continue
        a, b = max(start, run_start) - run_start, min(end, run_end) - run_start
        mark = lxml.html.Element("mark", attributes or {})
        mark.text = string[a:b]
        mark.tail = string[b:] or None
        if kind == "text":
            element.text = string[:a] or None
            element.insert(0, mark)
        else:
            element.tail = string[:a] or None
            parent = element.getparent()
            parent.insert(parent.index(element) + 1, mark)
    return True


def text_of(content_html: str) -> str:
    """The text of sanitized article HTML as the reader's script counts it (``textContent`` of the article
    body): the offsets in anchors (``start``, ``end``) are offsets in this string. "" for unparsable HTML."""
    if not content_html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(content_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    return "".join(run[3] for run in _segments(root))


def reanchor(text: str, quote: str, anchor: object, context: int = 64) -> dict | None:
    """Place a highlight again in an article's new ``text`` (text_of), the W3C Web Annotation way
    (https://www.w3.org/TR/annotation-model/#text-quote-selector): the quote (TextQuoteSelector ``exact``,
    white space matched loosely) is searched; among several matches the one whose text before and after
    agrees most with the anchor's ``prefix``/``suffix`` wins, then the one nearest the old ``start``
    (TextPositionSelector hint). Returns a copy of ``anchor`` with ``start``, ``end``, ``prefix`` and
    ``suffix`` (``context`` characters) taken from the new text and no ``orphaned`` key; None when the quote
    is no longer in the text."""
    old = dict(anchor) if isinstance(anchor, dict) else {}
    prefix = old.get("prefix") if isinstance(old.get("prefix"), str) else ""
    suffix = old.get("suffix") if isinstance(old.get("suffix"), str) else ""
    match = _best_match(text, quote, anchor_start(old), prefix, suffix)
    if match is None:
        return None
    start, end = match.span()
    old.pop("orphaned", None)
    old.update(
        start=start,
        end=end,
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )
    return old


def mark_highlights(
    content_html: str, highlights: Iterable[tuple[int, str, int, str]], base_url: str | None = None
) -> tuple[str, set[int]]:
    """``content_html`` with every highlight ``(id, quote, hint offset, colour)`` found wrapped in
    ``<mark class="hl hl-<colour>" data-highlight-id data-color>`` (one per text run it spans), sanitized
    again; and the ids of the highlights found. ``<mark>`` attributes the article itself carried are removed
    first (sanitizing.clean keeps them only here), so only Folio's highlights are clickable. The match
    nearest ``hint`` wins when a quote repeats."""
    items = [
        (ident, q, anchor_start({"start": h}), c if c in sanitizing.HIGHLIGHT_COLORS else "yellow")
        for ident, q, h, c in highlights
        if isinstance(q, str) and q.strip()
    ]
    if not items or not content_html.strip():
        return content_html, set()
    try:
        root = lxml.html.fragment_fromstring(content_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return content_html, set()
    for existing in root.iter("mark"):
        for name in ("data-highlight-id", "data-color", "class"):
            existing.attrib.pop(name, None)
    found = set()
    for ident, quote, hint, color in items:
        attributes = {"class": f"hl hl-{color}", "data-highlight-id": str(ident), "data-color": color}
        if _mark(root, quote, hint, attributes):
            found.add(ident)
    return _serialize(root, base_url, highlight_marks=True), found


def _serialize(root: lxml.html.HtmlElement, base_url: str | None, highlight_marks: bool = False) -> str:
    inner = (root.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return sanitizing.clean(inner, base_url, highlight_marks=highlight_marks)


def mark_quotes(
    content_html: str, quotes: Iterable[tuple[str, int]], base_url: str | None = None
) -> tuple[str, int]:
    """``content_html`` with every ``(quote, hint offset)`` found wrapped in ``<mark>``, sanitized again;
    and how many quotes were found. The match nearest the text offset ``hint`` wins when a quote repeats."""
    quotes = [(q, anchor_start({"start": h})) for q, h in quotes if isinstance(q, str) and q.strip()]
    if not quotes or not content_html.strip():
        return content_html, 0
    try:
        root = lxml.html.fragment_fromstring(content_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return content_html, 0
    found = sum(_mark(root, quote, hint) for quote, hint in quotes)
    return _serialize(root, base_url), found
