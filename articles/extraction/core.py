"""Article extraction: ``extract(html, url) -> Extraction``; trafilatura first, readability as a fallback.

Pure: no ORM, no network. The page is parsed once. Folio reads the page's own metadata (JSON-LD,
Open Graph; see ``metadata``), turns lazy-loaded images into normal ones (``media``), then runs
trafilatura (fast mode, comments off). When that result looks wrong — too short, link-dense, missing
the lead paragraph, or far from the ``articleBody`` the page states in its JSON-LD — readability-lxml
runs too and the candidate with the better score wins (``choose``). The winner is cleaned of furniture
(``cleanup``) and rendered as plain text. Every decision goes into ``Extraction.log``.
The HTML returned here is NOT safe to show: the caller passes it through ``sanitizing.clean``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from . import choose, cleanup
from .media import drop_hidden, figure_captions, keep_embedded_posts, prepare_images, restore_captions
from .metadata import read_metadata
from .text import count_words, detect_language, html_to_text, normalize_space, page_language

#: Fewer words than this is a navigation bar or an error page, not an article.
MIN_WORDS = 10


class ExtractionError(Exception):
    """No article could be extracted; ``reason`` is a sentence a person understands."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extraction:
    """The result of extracting one page.

    ``html`` is the article body (unsanitized, URLs absolute where the page gave a base); ``text`` its
    plain text with one blank line between blocks, picture captions left out; ``published`` a date
    (never later than ``today``); ``author`` the authors joined by ", "; ``language`` an ISO 639-1 code
    or ``""``; ``log`` records what ran and why, for the reader's details panel:
    ``{"extractor": "trafilatura"|"readability", "fallbacks": [...], "scores": {...},
    "warnings": [...], "removed": [...], "images": {...}}``.
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


def _parse(html: str) -> etree._Element:
    if not html or not html.strip():
        raise ExtractionError("The page is empty or is not HTML Folio can read.")
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"))
        except (etree.ParserError, ValueError) as exc:
            raise ExtractionError("The page is empty or is not HTML Folio can read.") from exc
    if tree is None or (tree.find("body") is None and not len(tree)):
        raise ExtractionError("The page is empty or is not HTML Folio can read.")
    return tree


def extract(html: str, url: str, *, today: dt.date | None = None) -> Extraction:
    """Extract the article of ``html`` (a whole page) served at ``url``.

    Raises ExtractionError when the page holds no article text.
    """
    today = today or dt.date.today()
    log: dict = {"extractor": "", "fallbacks": [], "scores": {}, "warnings": [], "removed": []}
    tree = _parse(html)
    language = page_language(tree)
    canonical = _canonical(tree)
    meta = read_metadata(tree, url, today)
    captions = cleanup.caption_texts(tree)
    log["hidden_removed"] = drop_hidden(tree)
    log["images"] = prepare_images(tree, url)
    log["embedded_posts"] = keep_embedded_posts(tree)
    picture_captions = figure_captions(tree)

    winner = choose.best_candidate(tree, url, meta, log)
    if winner is None:
        raise ExtractionError("Folio could not find an article on this page.")
    body = winner
    cleanup.wrap_loose_text(body)
    cleanup.mark_captions(body, captions, log)
    log["captions_restored"] = restore_captions(body, picture_captions)
    cleanup.drop_repeated_title(body, meta.title, log)
    cleanup.drop_repeated_lead_image(body, meta.lead_image, log)
    cleanup.drop_top_furniture(body, meta.title, meta.authors, log)
    cleanup.drop_standfirst(body, tree, log)
    cleanup.drop_duplicates(body, log)
    cleanup.drop_link_lines(body, log)
    cleanup.trim_edges(body, log)

    text = html_to_text(body, captions=False)
    word_count = count_words(text)
    if word_count < MIN_WORDS:
        raise ExtractionError("Folio could not find an article on this page.")
    if word_count < 100:
        log["warnings"].append("very short")
    if cleanup.link_density(body) > 0.3:
        log["warnings"].append("link-dense")
    if meta.published is None:
        log["warnings"].append("no date")
    return Extraction(
        html="".join(lxml.html.tostring(child, encoding="unicode") for child in body),
        text=text,
        title=meta.title,
        author=", ".join(meta.authors),
        published=meta.published,
        site_name=meta.site_name,
        lead_image=meta.lead_image,
        excerpt=_excerpt(meta.description, text),
        language=language or detect_language(text),
        canonical_url=canonical,
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
    """Build an Extraction from PDF bytes with pypdf: the document's text, its title from the PDF metadata.

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


def _canonical(page: etree._Element) -> str:
    for href in page.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"):
        href = href.strip()
        if href.startswith(("http://", "https://")):
            return href
    for href in page.xpath("//meta[@property='og:url']/@content"):
        if href.strip().startswith(("http://", "https://")):
            return href.strip()
    return ""


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


__all__ = ["Extraction", "ExtractionError", "extract", "extract_pdf", "extract_plain_text"]
