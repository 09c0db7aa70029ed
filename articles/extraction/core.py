"""Article extraction: ``extract(html, url) -> Extraction``; trafilatura fast mode, full mode when needed.

Pure: no ORM, no network. The page is parsed once. Folio reads the page's own metadata (JSON-LD,
Open Graph; see ``metadata``), repairs the page (``preprocess``: noscript, hidden prose, AMP, nested
``pre``), turns lazy-loaded images into normal ones (``media``), then runs trafilatura without images,
in fast mode; when that result looks wrong, what trafilatura's full mode adds (its readability port and
jusText) runs on it and the better candidate wins (``choose``). The winner's structure and spacing are repaired
(``structure``), it is cleaned of furniture (``cleanup``), the main content's images are put back by
their position in the page (``images``), text is normalised (NFC, no soft hyphens or zero-width
characters; ``text.clean_text``) and rendered as plain text. Every decision goes into ``Extraction.log``.
The HTML returned here is NOT safe to show: the caller passes it through ``sanitizing.clean``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import lxml.html
from django.utils.translation import gettext_noop
from lxml import etree

from . import choose, cleanup, images, preprocess, structure
from .media import figure_captions, keep_embedded_posts, prepare_images, restore_captions
from .metadata import read_metadata
from .pages import pagination
from .parser import html_parser
from .text import (
    RTL_LANGUAGES,
    clean_text,
    clean_tree_text,
    count_words,
    detect_language,
    html_to_text,
    normalize_space,
    page_direction,
    page_language,
    words,
)

#: Elements read by the metadata step and deleted by every extractor: removed once after it.
_DONE_WITH = (
    "script", "style", "svg", "template", "head", "iframe", "embed", "object", "canvas", "audio", "video",
    "button", "input", "select", "textarea", "dialog",
)  # fmt: skip

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
    ``{"extractor": "trafilatura"|"trafilatura-full", "fallbacks": [...], "scores": {...},
    "warnings": [...], "removed": [...], "images": {...}, "pagination": {...}}``; ``direction`` is
    ``"rtl"`` or ``"ltr"`` (the page's ``dir``, else its language's script direction).
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
    direction: str = "ltr"
    word_count: int = 0
    log: dict = field(default_factory=dict)


def _parse(html: str) -> etree._Element:
    if not html or not html.strip():
        raise ExtractionError(gettext_noop("The page is empty or is not HTML Folio can read."))
    try:
        tree = lxml.html.document_fromstring(html, parser=html_parser())
    except (etree.ParserError, ValueError):
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=html_parser())
        except (etree.ParserError, ValueError) as exc:
            raise ExtractionError(gettext_noop("The page is empty or is not HTML Folio can read.")) from exc
    if tree is None or (tree.find("body") is None and not len(tree)):
        raise ExtractionError(gettext_noop("The page is empty or is not HTML Folio can read."))
    return tree


def extract(html: str, url: str, *, today: dt.date | None = None) -> Extraction:
    """Extract the article of ``html`` (a whole page) served at ``url``.

    Raises ExtractionError when the page holds no article text.
    """
    today = today or dt.date.today()
    log: dict = {"extractor": "", "fallbacks": [], "scores": {}, "warnings": [], "removed": []}
    tree = _parse(html)
    language = page_language(tree)
    base = structure.page_base(tree, url)
    canonical = _canonical(tree, base)
    meta = read_metadata(tree, url, today)
    pages = pagination(tree, url, base)
    # Scripts, styles and inline SVG are read (JSON-LD, dates) and done with: every later copy and scan
    # of the tree is cheaper without them.
    etree.strip_elements(tree, *_DONE_WITH, etree.Comment, with_tail=False)
    captions = cleanup.caption_texts(tree)
    log["noscript_unwrapped"] = preprocess.repair_noscript(tree)
    log["hidden"] = preprocess.drop_hidden(tree)
    log["amp"] = preprocess.convert_amp(tree)
    preprocess.flatten_pre(tree)
    log["images"] = prepare_images(tree, base)
    log["embedded_posts"] = keep_embedded_posts(tree)
    picture_captions = figure_captions(tree)
    if pages:
        log["pagination"] = pages
        log["warnings"].append(f"page 1 of {pages['pages']}" if pages.get("pages") else "page 1 of several")

    body = choose.best_candidate(tree, url, meta, log)
    if body is None:
        raise ExtractionError(gettext_noop("Folio could not find an article on this page."))
    structure.repair_code(body)
    cleanup.wrap_loose_text(body)
    page_body = tree.find("body")
    log["spaces_restored"] = structure.repair_spacing(
        body, lambda: set(words(page_body.text_content() if page_body is not None else ""))
    )
    cleanup.mark_captions(body, captions, log)
    cleanup.drop_repeated_title(body, meta.title, log)
    cleanup.drop_top_furniture(body, meta.title, meta.authors, log)
    cleanup.drop_standfirst(body, tree, log)
    cleanup.drop_duplicates(body, log)
    cleanup.drop_link_lines(body, log)
    cleanup.trim_edges(body, log)
    log["images_restored"] = images.restore_images(body, tree, cleanup.blocks(body))
    log["captions_restored"] = restore_captions(body, picture_captions)
    if not meta.hero_image:  # a picture the page names as its lead is shown above the article
        cleanup.drop_repeated_lead_image(body, meta.lead_image, log)
    structure.absolutize(body, base)
    clean_tree_text(body)

    text = html_to_text(body, captions=False)
    word_count = count_words(text)
    if word_count < MIN_WORDS:
        raise ExtractionError(gettext_noop("Folio could not find an article on this page."))
    if word_count < 100:
        log["warnings"].append("very short")
    if cleanup.link_density(body) > 0.3:
        log["warnings"].append("link-dense")
    if meta.published is None:
        log["warnings"].append("no date")
    language = language or detect_language(text)
    return Extraction(
        html="".join(lxml.html.tostring(child, encoding="unicode") for child in body),
        text=text,
        title=clean_text(meta.title),
        author=clean_text(", ".join(meta.authors)),
        published=meta.published,
        site_name=clean_text(meta.site_name),
        lead_image=meta.lead_image,
        excerpt=clean_text(_excerpt(meta.description, text)),
        language=language,
        canonical_url=canonical,
        direction=page_direction(tree, language),
        word_count=word_count,
        log=log,
    )


def extract_plain_text(text: str, url: str, *, title: str = "") -> Extraction:
    """Build an Extraction from a ``text/plain`` document: blank-line separated paragraphs."""
    paragraphs = [normalize_space(p) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        raise ExtractionError(gettext_noop("The text file is empty."))
    paragraphs = [clean_text(p) for p in paragraphs]
    html = "".join(f"<p>{_escape(p)}</p>" for p in paragraphs)
    body_text = "\n\n".join(paragraphs)
    return Extraction(
        html=html,
        text=body_text,
        title=title or paragraphs[0][:200],
        excerpt=_excerpt("", body_text),
        language=(language := detect_language(body_text)),
        direction="rtl" if language in RTL_LANGUAGES else "ltr",
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
            raise ExtractionError(gettext_noop("The PDF is encrypted; Folio cannot read it."))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else "") or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(gettext_noop("The PDF is damaged; Folio cannot read it.")) from exc
    raw = "\n\n".join(pages)
    # Lines inside a paragraph end with single newlines in PDF text; blank lines separate paragraphs.
    paragraphs = [normalize_space(p) for p in re.split(r"\n\s*\n", raw) if p.strip()]
    if not paragraphs:
        raise ExtractionError(gettext_noop("The PDF holds no text (it may be scanned images)."))
    extraction = extract_plain_text("\n\n".join(paragraphs), url, title=normalize_space(meta_title))
    extraction.log = {"extractor": "pypdf", "pages": len(pages), "warnings": []}
    return extraction


def _canonical(page: etree._Element, base: str) -> str:
    """The page's canonical URL: ``<link rel=canonical>`` (a relative one resolved against the page's
    base, bug-log A48), else ``og:url``; ``""`` when neither gives an http(s) address."""
    from urllib.parse import urljoin

    links = [e.get("href") or "" for e in page.iter("link") if (e.get("rel") or "").lower() == "canonical"]
    for href in [*links, *page.xpath("//meta[@property='og:url']/@content")]:
        href = href.strip()
        if href and base and not href.startswith(("http://", "https://")):
            try:
                href = urljoin(base, href)
            except ValueError:
                continue
        if href.startswith(("http://", "https://")):
            return href
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
