"""Repairs to the structure and spacing of an extracted body (an lxml ``<div>``), in place.

- ``repair_spacing``: words that the extractor ran together at an inline element ("Herstellers" +
  "nachlesen" -> "Herstellersnachlesen") get their space back, when the page's own text shows both words
  apart and never the joined form (a drop cap such as ``<span>T</span>he`` stays joined).
- ``repair_code``: inline ``<code>`` that the extractor turned into a ``<pre>`` block becomes ``<code>``
  again; a ``<pre>`` nested in a ``<pre>`` is flattened; monospace ``<var>`` (from kbd, tt, samp) is code.
- ``absolutize``: links and image sources made absolute against the page's base (``<base href>`` first).

Pure: no network, no ORM.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

from lxml import etree

INLINE_TAGS = {
    "a", "b", "strong", "i", "em", "span", "code", "sub", "sup", "small", "mark", "u", "s", "abbr", "q",
    "cite", "var", "kbd", "time", "del", "ins", "dfn",
}  # fmt: skip
_LAST_WORD = re.compile(r"(\w+)$")
_FIRST_WORD = re.compile(r"^(\w+)")
#: Parents in which a ``<pre>`` can only be a piece of inline code.
_INLINE_CONTEXT = {
    "p",
    "li",
    "td",
    "th",
    "span",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "strong",
    "dd",
}


def _first_text(element: etree._Element) -> str:
    for piece in element.itertext():
        if piece:
            return piece
    return ""


def _last_text(element: etree._Element) -> str:
    last = ""
    for piece in element.itertext():
        if piece:
            last = piece
    return last


def repair_spacing(body: etree._Element, page_words: Callable[[], set[str]]) -> int:
    """Put back the space between two words joined at an inline element's edge. ``page_words`` returns
    the words of the page's visible text (called at most once, only when a joined pair is found).
    Returns how many spaces were put back."""
    words: set[str] | None = None
    repaired = 0
    for element in list(body.iter(*INLINE_TAGS)):
        parent = element.getparent()
        if parent is None:
            continue
        previous = element.getprevious()
        junctions = []
        left = previous.tail if previous is not None else parent.text
        if left and left[-1:].isalnum():
            junctions.append(("before", left, _first_text(element)))
        if element.tail and element.tail[:1].isalnum():
            junctions.append(("after", _last_text(element), element.tail))
        for side, left_text, right_text in junctions:
            left_word = _LAST_WORD.search(left_text or "")
            right_word = _FIRST_WORD.search(right_text or "")
            if not left_word or not right_word:
                continue
            if words is None:
                words = page_words()
            joined = left_word.group(1) + right_word.group(1)
            if joined in words or left_word.group(1) not in words or right_word.group(1) not in words:
                continue
            repaired += 1
            if side == "after":
                element.tail = " " + element.tail
            elif previous is not None:
                previous.tail += " "
            else:
                parent.text += " "
    return repaired


def repair_code(body: etree._Element) -> int:
    """Turn block ``<pre>`` made from inline code back into ``<code>``; flatten ``<pre><pre>``.
    Returns how many elements changed."""
    changed = 0
    for pre in list(body.iter("pre")):
        parent = pre.getparent()
        if parent is None:
            continue
        inner = pre[0] if len(pre) == 1 and pre[0].tag in ("pre", "code") else None
        if inner is not None and not (pre.text or "").strip() and not (inner.tail or "").strip():
            pre.text = inner.text
            for child in list(inner):
                pre.append(child)
            pre.remove(inner)
            changed += 1
            continue
        text = "".join(pre.itertext())
        around = (pre.tail or "").strip() or (
            (pre.getprevious().tail if pre.getprevious() is not None else parent.text) or ""
        ).strip()
        if parent.tag in _INLINE_CONTEXT or ("\n" not in text.strip() and around):
            pre.tag = "code"
            changed += 1
    for var in body.iter("var"):
        var.tag = "code"
        changed += 1
    return changed


def page_base(tree: etree._Element, url: str) -> str:
    """The address relative links of the page resolve against: ``<base href>`` (itself resolved against
    ``url``), else ``url`` (HTML Living Standard, "document base URL")."""
    for href in tree.xpath("//head/base/@href | //base/@href")[:1]:
        href = href.strip()
        if href and not href.lower().startswith(("javascript:", "data:")):
            try:
                return urljoin(url, href) if url else href
            except ValueError:
                return url
    return url


def absolutize(body: etree._Element, base: str) -> None:
    """Make ``href`` of links and ``src`` of images in ``body`` absolute against ``base``."""
    if not base:
        return
    for element in body.iter("a", "img"):
        attribute = "href" if element.tag == "a" else "src"
        value = (element.get(attribute) or "").strip()
        if not value or value.startswith(("http://", "https://", "#", "mailto:", "data:", "tel:")):
            continue
        try:
            element.set(attribute, urljoin(base, value))
        except ValueError:
            continue
