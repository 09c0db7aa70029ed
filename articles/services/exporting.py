"""Exporting a library, or any view, tag or search of it, without lock-in: JSON (everything; imports back
into Folio through ``importers.folio``), CSV, Netscape bookmark HTML, Markdown (one file per article in a
ZIP) and EPUB (one book with a table of contents and embedded images, written with EbookLib).

Writers take a QuerySet from ``export_articles`` and return bytes. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlsplit

import lxml.html
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .. import sanitizing
from ..models import Article, Highlight
from ..search import article_search_queryset
from . import media

logger = logging.getLogger(__name__)

FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "html": ("text/html; charset=utf-8", "html"),
    "md": ("application/zip", "zip"),
    "epub": ("application/epub+zip", "epub"),
}
VIEWS = ("all", "unread", "archive", "favorites")
#: OWASP "CSV Injection": cells starting with these are prefixed with a quote so spreadsheets show text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def export_articles(
    *, user: User, view: str = "all", tag: str = "", query: str = "", ids: Iterable[int] = ()
) -> QuerySet[Article]:
    """The user's articles to export: a view (all, unread, archive, favorites), narrowed by a tag name,
    a search in the search language (what the search box finds: articles.search.article_search_queryset)
    and/or explicit ids.
    Tags and highlights are prefetched; order is newest save first."""
    articles = Article.objects.filter(user=user, deleted_at__isnull=True)
    if view == "unread":
        articles = articles.filter(is_archived=False, read_at__isnull=True)
    elif view == "archive":
        articles = articles.filter(is_archived=True)
    elif view == "favorites":
        articles = articles.filter(is_favorite=True)
    if tag:
        articles = articles.filter(tags__name__iexact=tag)
    if query.strip():
        articles = articles.filter(id__in=article_search_queryset(user=user, query=query).values("id"))
    ids = [int(i) for i in ids]
    if ids:
        articles = articles.filter(id__in=ids)
    return articles.prefetch_related(
        "tags", Prefetch("highlights", queryset=Highlight.objects.order_by("created_at", "id"))
    ).order_by("-saved_at", "-id")


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def export_json(articles: QuerySet[Article]) -> bytes:
    """Everything Folio keeps about each article, as ``{"folio_export": 1, "exported_at", "articles"}``."""
    rows = []
    for a in articles:
        rows.append(
            {
                "url": a.url,
                "final_url": a.final_url,
                "canonical_url": a.canonical_url,
                "title": a.title,
                "author": a.author,
                "published": _iso(a.published),
                "site_name": a.site_name,
                "lead_image": a.lead_image,
                "excerpt": a.excerpt,
                "language": a.language,
                "word_count": a.word_count,
                "status": a.status,
                "failure_reason": a.failure_reason,
                "saved_at": _iso(a.saved_at),
                "read_at": _iso(a.read_at),
                "is_archived": a.is_archived,
                "is_favorite": a.is_favorite,
                "progress_percent": a.progress_percent,
                "tags": [t.name for t in a.tags.all()],
                "note": a.note,
                "content_html": a.content_html,
                "content_text": a.content_text,
                "highlights": [
                    {"quote": h.quote, "note": h.note, "anchor": h.anchor, "created_at": _iso(h.created_at)}
                    for h in a.highlights.all()
                ],
            }
        )
    document = {"folio_export": 1, "exported_at": timezone.now().isoformat(), "articles": rows}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: formula-looking values get a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(articles: QuerySet[Article]) -> bytes:
    """``url,title,tags,saved_at,read_at,is_archived,is_favorite,status,excerpt`` (tags joined by ``|``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["url", "title", "tags", "saved_at", "read_at", "is_archived", "is_favorite", "status", "excerpt"]
    )
    for a in articles:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    a.url,
                    a.title,
                    "|".join(t.name for t in a.tags.all()),
                    _iso(a.saved_at),
                    _iso(a.read_at) or "",
                    int(a.is_archived),
                    int(a.is_favorite),
                    a.status,
                    a.excerpt,
                )
            ]
        )
    return out.getvalue().encode("utf-8")


def export_bookmarks(articles: QuerySet[Article]) -> bytes:
    """A Netscape bookmark file (browsers, linkding, Pinboard read it); every value HTML-escaped."""
    esc = html.escape
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
    ]
    for a in articles:
        tags = ",".join(t.name.replace(",", " ") for t in a.tags.all())
        unread = "0" if (a.read_at or a.is_archived) else "1"
        lines.append(
            f'<DT><A HREF="{esc(a.url)}" ADD_DATE="{int(a.saved_at.timestamp())}" PRIVATE="1" '
            f'TOREAD="{unread}" TAGS="{esc(tags)}">{esc(a.display_title)}</A>'
        )
        if a.excerpt:
            lines.append(f"<DD>{esc(a.excerpt)}")
    lines.append("</DL><p>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def file_slug(text: str, fallback: str) -> str:
    """A file-name part from ``text``: lower case, runs of non-word characters as ``-``, at most 60
    characters; ``fallback`` when nothing is left."""
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")[:60]
    return slug or fallback


#: Markdown punctuation that could start a link, an image, emphasis or code, escaped with a backslash (every
#: renderer, CommonMark and Python-Markdown alike, reads ``\\[`` as a plain ``[``).
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]])")
#: Characters a link or image address keeps as they are in the Markdown; the rest (spaces, quotes,
#: parentheses, angle brackets, backslashes) are percent-encoded so the address cannot close the link.
_MD_URL_SAFE = "/:?#@!$&'*+,;=%-._~"


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text and never as HTML or a link (issue 21.5):
    ``&``, ``<`` and ``>`` become character references (Markdown passes raw HTML through; a reference is
    shown as its character), and link, emphasis and code punctuation is backslash-escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCTUATION.sub(r"\\\1", text)


def markdown_url(url: str) -> str:
    """A link or image address for Markdown: ``""`` unless it is http(s), mailto or relative (no
    ``javascript:``), percent-encoded so it cannot end the link early."""
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if url else ""
    if scheme not in ("", "http", "https", "mailto"):
        return ""
    return quote(url, safe=_MD_URL_SAFE)


def front_matter_value(value: object) -> str:
    """A front-matter value: JSON (valid YAML), with ``<``, ``>`` and ``&`` as ``\\u`` escapes so that a
    renderer showing the front matter as text finds no HTML in it, while a YAML reader gets the exact value."""
    encoded = json.dumps(value, ensure_ascii=False)
    return encoded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _markdown_converter():
    """markdownify's converter with every text node and attribute made safe (issue 21.5): markdownify
    writes text as it is, so text the reader shows as ``&lt;script&gt;`` would come out as a real tag."""
    from markdownify import (  # type: ignore[attr-defined]  # chomp is in markdownify/__init__.py, not its .pyi
        MarkdownConverter,
        chomp,
    )

    class SafeConverter(MarkdownConverter):
        def escape(self, text, parent_tags):
            return markdown_text(text or "")

        def convert_a(self, el, text, parent_tags):
            if "_noformat" in parent_tags:
                return text
            prefix, suffix, text = chomp(text)
            if not text:
                return ""
            href = markdown_url(el.get("href"))
            return f"{prefix}[{text}]({href}){suffix}" if href else prefix + text + suffix

        def convert_img(self, el, text, parent_tags):
            alt = markdown_text(el.attrs.get("alt", None) or "")
            src = markdown_url(el.attrs.get("src", None) or "")
            if "_inline" in parent_tags or not src:
                return alt
            return f"![{alt}]({src})"

        def convert_video(self, el, text, parent_tags):
            return text

        def convert_pre(self, el, text, parent_tags):
            # A raw HTML block with the code escaped: a fenced block is plain text to renderers without
            # fences (Python-Markdown's default), where a blank line in the code would end it early.
            if not text:
                return ""
            return f"\n\n<pre><code>{html.escape(text.strip(chr(10)), quote=False)}</code></pre>\n\n"

    return SafeConverter(heading_style="ATX")


def article_markdown(article: Article) -> str:
    """One article as Markdown with a front matter block (values JSON-quoted, which is valid YAML).

    Safe when rendered (issue 21.5): titles, tags, highlight quotes and notes are written as text
    (``markdown_text``), the body through a converter that escapes every text node and address, and the
    front matter holds no ``<``, ``>`` or ``&``."""
    meta = {
        "title": article.display_title,
        "url": article.url,
        "saved_at": _iso(article.saved_at),
        "read_at": _iso(article.read_at),
        "archived": article.is_archived,
        "favorite": article.is_favorite,
        "tags": [t.name for t in article.tags.all()],
        "author": article.author or None,
    }
    front = "\n".join(f"{key}: {front_matter_value(value)}" for key, value in meta.items())
    body = _markdown_converter().convert(article.content_html) if article.content_html else ""
    parts = [
        f"---\n{front}\n---\n",
        f"# {markdown_text(article.display_title)}\n",
        body.strip() + "\n" if body.strip() else "",
    ]
    highlights = list(article.highlights.all())
    if highlights:
        parts.append("\n## Highlights\n")
        for h in highlights:
            quote_block = "\n".join("> " + markdown_text(line) for line in h.quote.splitlines())
            note = "\n".join(markdown_text(line) for line in h.note.splitlines())
            parts.append(f"\n{quote_block}\n" + (f"\n{note}\n" if note else ""))
    return "\n".join(p for p in parts if p)


def export_markdown_zip(articles: QuerySet[Article]) -> bytes:
    """A ZIP with one ``<id>-<slug>.md`` file per article (names safe on every file system)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for a in articles:
            archive.writestr(f"folio/{a.pk}-{file_slug(a.display_title, 'article')}.md", article_markdown(a))
    return out.getvalue()


def _embed_images(book, article: Article, content_html: str, budget: dict) -> str:
    """``content_html`` with each of Folio's kept images of ``article`` (and its lead image, first, when the
    body does not hold it) added to ``book``; any other image is dropped (an EPUB reader cannot load remote
    images, and only images Folio verified and re-encoded go in). Nothing is fetched: the bytes come from
    the ``images`` storage. At most FOLIO_EPUB_MAX_IMAGES per book."""
    from ebooklib import epub

    kept = {row.digest: row for row in budget["images"].get(article.pk, [])}
    lead = next((row for row in kept.values() if row.is_lead), None)

    def item_for(row) -> str | None:
        name = budget["seen"].get(row.digest)
        if name is None and budget["count"] < settings.FOLIO_EPUB_MAX_IMAGES:
            try:
                data = media.image_read(row)
            except OSError:
                logger.warning("EPUB: the file of image %s is missing", row.digest)
                return None
            budget["count"] += 1
            name = f"images/{row.digest}.{row.extension}"
            book.add_item(
                epub.EpubItem(
                    uid=f"img{budget['count']}", file_name=name, media_type=row.content_type, content=data
                )
            )
            budget["seen"][row.digest] = name
        return name

    root = lxml.html.fragment_fromstring(content_html or "", create_parent="div")
    if lead is not None and lead.url not in content_html:
        root.insert(0, lxml.html.Element("img", src=lead.url, alt=""))
    for img in list(root.iter("img")):
        match = sanitizing.LOCAL_IMAGE_PATH.match(img.get("src") or "")
        row = kept.get(match.group("digest")) if match else None
        item_name = item_for(row) if row is not None else None
        if item_name:
            for name in list(img.attrib):
                if name not in ("alt", "width", "height"):
                    del img.attrib[name]
            img.set("src", item_name)
            img.set("alt", img.get("alt") or "")
        else:
            img.drop_tree()
    return (
        "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
        if len(root)
        else (root.text or "")
    )


class ExportStopped(Exception):
    """The ``progress`` callback of ``export_epub`` asked to stop (the job was cancelled)."""


def export_epub(
    articles: QuerySet[Article] | Iterable[Article],
    *,
    title: str = "Folio",
    progress: Callable[[int], bool] | None = None,
) -> bytes:
    """One EPUB 3 book: a chapter per article (title, source link, sanitized content, highlights), a table
    of contents, images embedded. Made with EbookLib (https://github.com/aerkalov/ebooklib).

    ``progress(done)`` is called after each chapter with the number of articles in the book so far (the
    background job records it); when it returns False the book is abandoned: raises ExportStopped."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier(f"folio-{timezone.now().strftime('%Y%m%d%H%M%S%f')}")
    book.set_title(title)
    book.set_language("en")
    book.add_author("Folio")
    # Folio's kept images only (services/media.py), read from storage: nothing is fetched while the person
    # waits, and no unverified bytes go into the book.
    chosen = list(articles)
    budget = {"count": 0, "seen": {}, "images": media.article_images_stored([a.pk for a in chosen])}
    chapters = []
    esc = html.escape
    for index, a in enumerate(chosen, start=1):
        body = _embed_images(book, a, sanitizing.clean(a.content_html, a.url), budget)
        highlights = "".join(
            f"<blockquote><p>{esc(h.quote)}</p>"
            f"{f'<p><em>{esc(h.note)}</em></p>' if h.note else ''}</blockquote>"
            for h in a.highlights.all()
        )
        chapter = epub.EpubHtml(
            title=a.display_title, file_name=f"article-{index}.xhtml", lang=a.language or "en"
        )
        chapter.content = (
            f"<h1>{esc(a.display_title)}</h1>"
            f'<p><a href="{esc(a.url)}">{esc(a.site_name or urlsplit(a.url).hostname or a.url)}</a>'
            f"{' · ' + esc(a.author) if a.author else ''}</p>"
            f"{body or '<p>' + esc(a.excerpt or 'Folio has not fetched this article yet.') + '</p>'}"
            f"{'<h2>Highlights</h2>' + highlights if highlights else ''}"
        )
        book.add_item(chapter)
        chapters.append(chapter)
        if progress is not None and not progress(index):
            raise ExportStopped(index)
    if not chapters:
        empty = epub.EpubHtml(title="No articles", file_name="empty.xhtml")
        empty.content = "<h1>No articles</h1><p>This view had no articles when it was exported.</p>"
        book.add_item(empty)
        chapters.append(empty)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


def export_render(articles: QuerySet[Article], fmt: str, *, title: str = "Folio") -> bytes:
    """Bytes of ``articles`` in ``fmt`` (a key of FORMATS). Raises ValueError for an unknown format."""
    writers = {
        "json": export_json,
        "csv": export_csv,
        "html": export_bookmarks,
        "md": export_markdown_zip,
        "epub": lambda qs: export_epub(qs, title=title),
    }
    if fmt not in writers:
        raise ValueError(f"Unknown export format {fmt!r}")
    return writers[fmt](articles)
