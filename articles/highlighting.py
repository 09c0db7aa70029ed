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


def _mark(root: lxml.html.HtmlElement, quote: str, hint: int = 0) -> bool:
    pattern = _pattern(quote)
    if pattern is None:
        return False
    runs = _segments(root)
    text = "".join(run[3] for run in runs)
    matches = list(pattern.finditer(text))
    if not matches:
        return False
    match = min(matches, key=lambda m: abs(m.start() - hint))
    start, end = match.span()
    for element, kind, run_start, string in reversed(runs):
        run_end = run_start + len(string)
        if run_end <= start or run_start >= end:
            continue
        a, b = max(start, run_start) - run_start, min(end, run_end) - run_start
        mark = lxml.html.Element("mark")
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
    inner = (root.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return sanitizing.clean(inner, base_url), found
