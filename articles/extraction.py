"""Article extraction: ``extract(html, url) -> Extraction``, a trafilatura wrapper with Folio's clean-up.

Pure: no ORM, no network. trafilatura finds the main content and the metadata; Folio then removes what
trafilatura lets through at the edges of a body (the headline repeated as the first heading, the lead
image repeated, short calls to action such as error-report, newsletter, share and copyright lines),
detects the language when the page does not declare it, and derives plain text, word count and excerpt.
The HTML returned here is NOT safe to show: the caller passes it through ``sanitizing.clean``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from trafilatura.core import bare_extraction, build_html_output
from trafilatura.settings import Extractor

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LANG = re.compile(r"^[a-zA-Z]{2,3}")

#: Block elements whose text forms its own paragraph in the plain-text rendering.
BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "tr", "dt", "dd",
    "table", "ul", "ol", "div", "section", "figure", "caption", "hr", "br",
}

#: Short lines that end (or start) an article body on news sites but are not part of it: calls to
#: action and page furniture. Matched only on short edge blocks (EDGE_MAX_WORDS), never inside a body.
EDGE_BOILERPLATE = re.compile(
    r"""(
        found\s+(a|an)\s+(mistake|error|typo) | report\s+(a|an)\s+(mistake|error|typo|correction)
      | spotted\s+(a|an)\s+(mistake|error|typo) | contact\s+us | get\s+in\s+touch
      | sign\s+up | subscribe | newsletter | follow\s+us | share\s+(this|on|via) | click\s+here
      | all\s+rights\s+reserved | ©|\(c\)\s*\d{4} | copyright\s+(\d{4}|©) | read\s+more\b | related\s+(articles|stories)
      | (download|get)\s+(our|the)\s+app | support\s+(our|independent)\s+journalism | advertisement
    )""",
    re.IGNORECASE | re.VERBOSE,
)
EDGE_MAX_WORDS = 15


class ExtractionError(Exception):
    """No article could be extracted; ``reason`` is a sentence a person understands."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extraction:
    """The result of extracting one page.

    ``html`` is the article body (unsanitized, URLs as in the page); ``text`` its plain text with one
    blank line between blocks; ``published`` a date (never later than ``today``); ``language`` an
    ISO 639-1 code or ``""``; ``log`` records what ran and why, for the reader's details panel.
    """

    html: str
    text: str
    title: str = ""
    author: str = ""
    published: dt.date | None = None
    site_name: str = ""
    lead_image: str = ""
    excerpt: str = ""
    language: str = ""
    canonical_url: str = ""
    word_count: int = 0
    log: dict = field(default_factory=dict)


def normalize_space(text: str) -> str:
    """Collapse every run of Unicode white space (including no-break spaces) into one space and strip."""
    return _SPACE.sub(" ", text).strip()


def count_words(text: str) -> int:
    """Words in ``text``: runs of word characters, with each CJK character counted as one word."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk


def _options(url: str | None) -> Extractor:
    return Extractor(
        output_format="html",
        comments=False,
        formatting=True,
        links=True,
        images=True,
        tables=True,
        with_metadata=True,
        url=url,
    )


def extract(html: str, url: str, *, today: dt.date | None = None) -> Extraction:
    """Extract the article of ``html`` (a whole page) served at ``url``.

    Raises ExtractionError when the page holds no article text.
    """
    today = today or dt.date.today()
    log: dict = {"extractor": "trafilatura", "warnings": [], "removed_edges": []}
    try:
        page = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError("The page is empty or is not HTML Folio can read.") from exc
    document = bare_extraction(lxml.html.document_fromstring(html), options=_options(url), as_dict=False)
    if document is None or document.body is None or not len(document.body):
        raise ExtractionError("Folio could not find an article on this page.")

    title = normalize_space(document.title or "")
    body_html = build_html_output(document, False)
    body = lxml.html.fragment_fromstring(body_html, create_parent="div")
    if body.find("body") is not None:
        body = body.find("body")
    lead_image = (document.image or "").strip()
    _drop_repeated_title(body, title, log)
    _drop_repeated_lead_image(body, lead_image, log)
    _trim_edges(body, log)

    text = html_to_text(body)
    if not text:
        raise ExtractionError("Folio could not find an article on this page.")
    word_count = count_words(text)
    if word_count < 30:
        log["warnings"].append("very short")

    language = page_language(page) or detect_language(text)
    return Extraction(
        html="".join(lxml.html.tostring(child, encoding="unicode") for child in body),
        text=text,
        title=title,
        author=normalize_space(document.author or ""),
        published=_parse_date(document.date, today),
        site_name=normalize_space(document.sitename or ""),
        lead_image=lead_image,
        excerpt=_excerpt(document.description, text),
        language=language,
        canonical_url=_canonical(page),
        word_count=word_count,
        log=log,
    )


def extract_plain_text(text: str, url: str, *, title: str = "") -> Extraction:
    """Build an Extraction from a ``text/plain`` document: blank-line separated paragraphs."""
    paragraphs = [normalize_space(p) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        raise ExtractionError("The text file is empty.")
    html = "".join(f"<p>{_escape(p)}</p>" for p in paragraphs)
    body_text = "\n\n".join(paragraphs)
    return Extraction(
        html=html,
        text=body_text,
        title=title or paragraphs[0][:200],
        excerpt=_excerpt("", body_text),
        language=detect_language(body_text),
        word_count=count_words(body_text),
        log={"extractor": "plain-text", "warnings": []},
    )


def extract_pdf(data: bytes, url: str) -> Extraction:
    """Build an Extraction from PDF bytes with pypdf: the document's text, and its title from the PDF metadata.

    Raises ExtractionError for an encrypted, broken or image-only PDF.
    """
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError("The PDF is encrypted; Folio cannot read it.")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else "") or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError("The PDF is damaged; Folio cannot read it.") from exc
    raw = "\n\n".join(pages)
    # Lines inside a paragraph end with single newlines in PDF text; blank lines separate paragraphs.
    paragraphs = [normalize_space(p) for p in re.split(r"\n\s*\n", raw) if p.strip()]
    if not paragraphs:
        raise ExtractionError("The PDF holds no text (it may be scanned images).")
    extraction = extract_plain_text("\n\n".join(paragraphs), url, title=normalize_space(meta_title))
    extraction.log = {"extractor": "pypdf", "pages": len(pages), "warnings": []}
    return extraction


def html_to_text(root: etree._Element) -> str:
    """Plain text of an HTML tree: one paragraph per block element, separated by blank lines."""
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = normalize_space("".join(current))
        if line:
            parts.append(line)
        current.clear()

    def walk(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
        if element.text and tag not in ("script", "style"):
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
    """The language the page declares: ``<html lang>``, Content-Language meta, og:locale, JSON-LD inLanguage."""
    candidates = [page.get("lang") or page.get("{http://www.w3.org/XML/1998/namespace}lang") or ""]
    candidates += page.xpath("//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')='content-language']/@content")
    candidates += page.xpath("//meta[@property='og:locale']/@content")
    for script in page.xpath("//script[@type='application/ld+json']/text()")[:5]:
        match = re.search(r'"inLanguage"\s*:\s*"([^"]+)"', script)
        if match:
            candidates.append(match.group(1))
    for candidate in candidates:
        match = _LANG.match(candidate.strip())
        if match and len(match.group(0)) == 2:
            return match.group(0).lower()
    return ""


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` guessed with py3langid (Lui & Baldwin 2012, langid.py); ``""`` if too short."""
    if count_words(text) < 5:
        return ""
    import py3langid

    code, _score = py3langid.classify(text[:5000])
    return code


def _canonical(page: etree._Element) -> str:
    for href in page.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"):
        href = href.strip()
        if href.startswith(("http://", "https://")):
            return href
    for href in page.xpath("//meta[@property='og:url']/@content"):
        if href.strip().startswith(("http://", "https://")):
            return href.strip()
    return ""


def _parse_date(value: str | None, today: dt.date) -> dt.date | None:
    if not value:
        return None
    try:
        date = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return date if date <= today else None


def _excerpt(description: str | None, text: str, limit: int = 300) -> str:
    description = normalize_space(description or "")
    if description:
        return description
    first = text.split("\n\n", 1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", re.sub(r"[^\w\s]", "", text)).strip()


def _drop_repeated_title(body: etree._Element, title: str, log: dict) -> None:
    """Remove a heading at the top of the body that repeats the title (the reader shows the title)."""
    if not title:
        return
    for child in list(body)[:3]:
        if child.tag in ("h1", "h2", "h3") and _comparable(child.text_content()) == _comparable(title):
            _remove(child)
            log["removed_edges"].append("repeated title")
            return


def _drop_repeated_lead_image(body: etree._Element, lead_image: str, log: dict) -> None:
    """Remove the lead image from the top of the body when it is shown above the article anyway."""
    if not lead_image:
        return
    for image in body.xpath(".//img")[:1]:
        if (image.get("src") or "").strip() == lead_image:
            parent = image.getparent()
            target = parent if parent is not None and parent.tag == "figure" else image
            _remove(target)
            log["removed_edges"].append("repeated lead image")


def _is_edge_boilerplate(element: etree._Element) -> bool:
    if element.tag not in ("p", "div", "h2", "h3", "h4", "h5", "h6", "ul", "blockquote", "span"):
        return False
    text = normalize_space(element.text_content())
    if not text:
        return element.find(".//img") is None
    return count_words(text) <= EDGE_MAX_WORDS and bool(EDGE_BOILERPLATE.search(text))


def _trim_edges(body: etree._Element, log: dict) -> None:
    """Drop short call-to-action and furniture blocks at the start and end of the body."""
    for position in (-1, 0):
        while len(body) > 1 and _is_edge_boilerplate(body[position]):
            log["removed_edges"].append(normalize_space(body[position].text_content())[:80])
            _remove(body[position])


def _remove(element: etree._Element) -> None:
    """Remove ``element`` but keep its tail text attached to the previous node."""
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

