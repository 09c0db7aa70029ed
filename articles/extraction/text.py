"""Text helpers shared by the extraction modules: white space, word counts, plain text of a tree, language.

Pure functions; no ORM, no network.
"""

from __future__ import annotations

import re
import unicodedata

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


#: Invisible characters removed from stored text: soft hyphen (U+00AD: it splits words for search),
#: zero-width space, word joiner, BOM, Mongolian vowel separator. ZWNJ/ZWJ (U+200C/U+200D) stay after
#: non-Latin characters, where they shape Persian, Indic scripts and emoji sequences (Unicode 15, ch. 23.2).
_INVISIBLE = {ord(c): None for c in "\u00ad\u200b\u2060\ufeff\u180e"}
_JOINERS = re.compile(r"(?<=[\x00-\u024f])[\u200c\u200d]|^[\u200c\u200d]")
#: Runs of characters that UTF-8 text read as windows-1252 turns into ("Ã¼" for "ü", "â€œ" for a left double quote).
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)
_CP1252_RUN = re.compile(
    "[\u0021-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)


def fix_mojibake(text: str) -> str:
    """Repair runs of UTF-8 text that were decoded as windows-1252 ("GrÃ¼ÃŸe" -> "Grüße").

    A run is re-decoded only when it encodes to windows-1252 and the bytes are valid UTF-8, so correct
    text such as "Ã la carte" stays. The same check ftfy makes (Speer 2019), limited to this one case.
    """
    if not _MOJIBAKE.search(text):
        return text

    def repair(match: re.Match) -> str:
        run = match.group(0)
        if not _MOJIBAKE.search(run):
            return run
        try:
            return run.encode("cp1252").decode("utf-8")
        except UnicodeError:
            return run

    return _CP1252_RUN.sub(repair, text)


def clean_text(text: str) -> str:
    """``text`` as Folio stores it: mojibake repaired, NFC (a typed "geprüft" matches a decomposed one),
    no soft hyphens or zero-width characters. Spaces are left as they are."""
    if not text:
        return text
    text = fix_mojibake(text).translate(_INVISIBLE)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINERS.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def clean_tree_text(root: etree._Element) -> None:
    """Apply ``clean_text`` to every text and tail of ``root``'s tree, in place."""
    for element in root.iter():
        if element.text:
            element.text = clean_text(element.text)
        if element.tail:
            element.tail = clean_text(element.tail)
        if element.tag == "img" and element.get("alt"):
            element.set("alt", clean_text(element.get("alt")))


def normalize_space(text: str) -> str:
    """Collapse every run of Unicode white space (including no-break spaces) into one space and strip."""
    return " ".join(text.split())


def count_words(text: str) -> int:
    """Words in ``text``: runs of word characters, with each CJK character counted as one word."""
    if not _CJK.search(text):
        return len(_WORD.findall(text))
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


#: Languages written right to left (ISO 639-1): Arabic, Hebrew, Persian, Urdu, Yiddish, Pashto, Sindhi,
#: Kurdish (Sorani), Dhivehi, Uyghur.
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ckb", "dv", "ug"}


def page_direction(page: etree._Element, language: str) -> str:
    """``"rtl"`` or ``"ltr"``: the ``dir`` the page declares on ``<html>``, ``<body>`` or its
    ``<article>``/``<main>``, else the direction of ``language``'s script."""
    for element in (page, page.find("body")):
        value = (element.get("dir") or "").strip().lower() if element is not None else ""
        if value in ("rtl", "ltr"):
            return value
    for value in page.xpath("(//article/@dir | //main/@dir)[1]"):
        if value.strip().lower() in ("rtl", "ltr"):
            return value.strip().lower()
    return "rtl" if language in RTL_LANGUAGES else "ltr"
