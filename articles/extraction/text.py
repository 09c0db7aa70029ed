"""Text helpers shared by the extraction modules: white space, word counts, plain text of a tree, language.

Pure functions; no ORM, no network.
"""

from __future__ import annotations

import re

from lxml import etree

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LANG = re.compile(r"^[a-zA-Z]{2,3}")

#: Block elements whose text forms its own paragraph in the plain-text rendering.
BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "figcaption",
    "tr",
    "dt",
    "dd",
    "table",
    "ul",
    "ol",
    "div",
    "section",
    "figure",
    "caption",
    "hr",
    "br",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "dl",
}

#: Elements whose text is not prose of the article in the plain-text rendering.
SKIP_TAGS = {"script", "style", "noscript", "template", "button", "svg"}


def normalize_space(text: str) -> str:
    """Collapse every run of Unicode white space (including no-break spaces) into one space and strip."""
    return _SPACE.sub(" ", text).strip()


def count_words(text: str) -> int:
    """Words in ``text``: runs of word characters, with each CJK character counted as one word."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk


def words(text: str) -> list[str]:
    """The word tokens of ``text`` (runs of ``\\w``), as the corpus scorer counts them."""
    return _WORD.findall(text)


def html_to_text(root: etree._Element, *, captions: bool = True) -> str:
    """Plain text of an HTML tree: one paragraph per block element, separated by blank lines.

    ``captions=False`` leaves out ``<figcaption>`` text: the article's prose without picture captions
    (what Folio stores as ``content_text``; the captions stay in the HTML).
    """
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = normalize_space("".join(current))
        if line:
            parts.append(line)
        current.clear()

    def walk(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in SKIP_TAGS or (not captions and tag == "figcaption"):
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
        if element.text and tag:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if is_block:
            flush()
        elif tag in ("td", "th"):
            current.append(" ")

    walk(root)
    flush()
    return "\n\n".join(parts)


def page_language(page: etree._Element) -> str:
    """The language the page declares: ``<html lang>``, Content-Language, og:locale, JSON-LD inLanguage."""

    def candidates():
        yield page.get("lang") or page.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
        for meta in page.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language" or meta.get(
                "property"
            ) == "og:locale":
                yield meta.get("content") or ""
        for script in page.xpath("//script[@type='application/ld+json']/text()")[:5]:
            match = re.search(r'"inLanguage"\s*:\s*"([^"]+)"', script)
            if match:
                yield match.group(1)

    for candidate in candidates():
        match = _LANG.match(candidate.strip())
        if match and len(match.group(0)) == 2:
            return match.group(0).lower()
    return ""


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` guessed with py3langid (Lui & Baldwin 2012, langid.py); ``""`` if short."""
    if count_words(text) < 5:
        return ""
    import py3langid

    code, _score = py3langid.classify(text[:5000])
    return code


def remove_element(element: etree._Element) -> None:
    """Remove ``element`` from its parent but keep its tail text attached to the previous node."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
