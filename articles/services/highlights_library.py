"""The highlights library (issue 17 item 4): every highlight and every article note of one person, newest
first, filtered and searched, and its two exports (Markdown for Obsidian, Readwise's CSV).

Reads only; the writes of highlights stay in ``services.highlights`` and of notes in
``library.article_update``. Every query is scoped by the person.

Search: the query language of ``articles.search.query`` (the same parser as the library search), read
over the highlight's quote and note and its article's title (an article note: the note and the title):
each word, phrase or prefix must occur (case-insensitively, as typed: no stemming, unlike the library
search, since a highlight is a few lines and a substring match finds what one typed), ``OR`` joins
terms, ``-word`` excludes; the filters ``tag:``, ``site:``, ``author:``, ``is:``, ``before:`` and
``after:`` (the date of the highlight or note) apply; ``lang:`` and ``note:`` too.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import ArticleError
from ..models import Article, Highlight
from ..search import SearchQuery, search_query_parse
from ..search.query import Filter, Term
from .exporting import csv_cell, file_slug, front_matter_value, markdown_text

#: Items on one page of /highlights/.
PER_PAGE = 30
#: Readwise's CSV import columns, in the order of its template (https://readwise.io/import_bulk): Highlight
#: is the only required one; Title, Author, URL, Note, Location (a number) and Date are optional. Quotes
#: are doubled, never backslash-escaped (what the csv module writes).
READWISE_COLUMNS = ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
#: Bytes of the Markdown ZIP kept in memory before it spills to a temporary file (bounded memory).
ZIP_SPOOL_BYTES = 8 * 1024 * 1024

KIND_HIGHLIGHT, KIND_NOTE = "highlight", "note"


@dataclass
class LibraryItem:
    """One row of the highlights library: a highlight (``kind`` "highlight": quote, note, colour) or an
    article's note (``kind`` "note": ``note`` only). ``when`` is when it was made (a note: last edited)."""

    kind: str
    pk: int
    when: dt.datetime
    article: Article
    quote: str = ""
    note: str = ""
    color: str = ""

    @property
    def cursor(self) -> str:
        return f"{self.when.isoformat()}~{1 if self.kind == KIND_NOTE else 0}~{self.pk}"


@dataclass
class LibraryPage:
    """A page of items, newest first; ``next_cursor`` is the ``?after=`` of the next page or ""."""

    items: list[LibraryItem]
    next_cursor: str = ""
    query: SearchQuery | None = None


def _term_q(term: Term, fields: tuple[str, ...]) -> Q:
    text = term.text if term.kind != "prefix" else term.text.rstrip("*")
    if term.field == "title":
        return Q(**{"article__title__icontains": text})
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": text})
    return q


def _filter_q(flt: Filter, prefix: str, date_field: str) -> Q:
    value = flt.value
    if flt.key == "tag":
        q = Q(**{f"{prefix}tags__name__iexact": value})
    elif flt.key == "site":
        q = (
            Q(**{f"{prefix}site_name__icontains": value})
            | Q(**{f"{prefix}url__icontains": value})
            | Q(**{f"{prefix}final_url__icontains": value})
        )
    elif flt.key == "author":
        q = Q(**{f"{prefix}author__icontains": value})
    elif flt.key == "note":
        q = Q(**{f"{prefix}note__icontains": value})
    elif flt.key == "lang":
        q = Q(**{f"{prefix}language__iexact": value}) | Q(**{f"{prefix}language__istartswith": f"{value}-"})
    elif flt.key == "is":
        q = {
            "unread": Q(**{f"{prefix}read_at__isnull": True}),
            "read": Q(**{f"{prefix}read_at__isnull": False}),
            "archived": Q(**{f"{prefix}is_archived": True}),
            "favorite": Q(**{f"{prefix}is_favorite": True}),
        }[str(value)]
    else:
        start = timezone.make_aware(dt.datetime.combine(flt.day, dt.time.min))
        q = Q(**{f"{date_field}__lt" if flt.key == "before" else f"{date_field}__gte": start})
    return ~q if flt.negated else q


def _apply_query(qs: QuerySet, query: SearchQuery, *, fields: tuple[str, ...], prefix: str, date_field: str):
    for group in query.groups:
        either = Q()
        for term in group:
            either |= _term_q(term, fields)
        qs = qs.filter(either)
    for term in query.excluded:
        qs = qs.exclude(_term_q(term, fields))
    for flt in query.filters:
        if flt.key == "tag" and not flt.negated:
            # Its own filter() so that two tag: filters may match two different tags of the article.
            qs = qs.filter(_filter_q(flt, prefix, date_field))
        elif flt.key == "tag":
            qs = qs.exclude(**{f"{prefix}tags__name__iexact": flt.value})
        else:
            qs = qs.filter(_filter_q(flt, prefix, date_field))
    return qs.distinct() if any(f.key == "tag" for f in query.filters) else qs


def highlight_queryset(
    *,
    user: User,
    query: str | SearchQuery = "",
    tag: str = "",
    color: str = "",
    article_id: int | None = None,
) -> QuerySet[Highlight]:
    """The user's highlights on live articles, newest first, narrowed by ``query`` (the search language,
    module docstring), a tag name (case-insensitive), a colour (one of Highlight.Color; another value
    raises ArticleError) and an article id. The article is selected along (one query)."""
    parsed = query if isinstance(query, SearchQuery) else search_query_parse(query)
    qs = Highlight.objects.filter(article__user=user, article__deleted_at__isnull=True).select_related(
        "article"
    )
    if color:
        if color not in Highlight.Color.values:
            raise ArticleError(
                _("A highlight's colour is one of %(colours)s.")
                % {"colours": ", ".join(Highlight.Color.values)}
            )
        qs = qs.filter(color=color)
    if tag:
        qs = qs.filter(article__tags__name__iexact=tag)
    if article_id is not None:
        qs = qs.filter(article_id=article_id)
    qs = _apply_query(
        qs, parsed, fields=("quote", "note", "article__title"), prefix="article__", date_field="created_at"
    )
    return qs.order_by("-created_at", "-id")


def note_queryset(
    *, user: User, query: str | SearchQuery = "", tag: str = "", article_id: int | None = None
) -> QuerySet[Article]:
    """The user's live articles with a note, most recently edited note first, narrowed as
    highlight_queryset narrows (a note has no colour)."""
    parsed = query if isinstance(query, SearchQuery) else search_query_parse(query)
    qs = Article.objects.filter(user=user, deleted_at__isnull=True).exclude(note="")
    if tag:
        qs = qs.filter(tags__name__iexact=tag)
    if article_id is not None:
        qs = qs.filter(pk=article_id)
    qs = _apply_query(qs, parsed, fields=("note", "title"), prefix="", date_field="note_updated_at")
    return qs.order_by("-note_updated_at", "-id")


def _parse_cursor(after: str) -> tuple[dt.datetime, int, int] | None:
    try:
        when, kind, pk = after.split("~")
        moment = dt.datetime.fromisoformat(when)
        if timezone.is_naive(moment):
            return None
        return moment, int(kind), int(pk)
    except ValueError:
        return None


def _before(field: str, kind: int, cursor: tuple[dt.datetime, int, int]) -> Q:
    """Rows of kind ``kind`` that sort after the cursor in (time, kind, id) descending order."""
    when, cursor_kind, pk = cursor
    older = Q(**{f"{field}__lt": when})
    if kind < cursor_kind:
        return older | Q(**{field: when})
    if kind == cursor_kind:
        return older | Q(**{field: when, "pk__lt": pk})
    return older


def highlights_library_page(
    *,
    user: User,
    query: str = "",
    tag: str = "",
    color: str = "",
    article_id: int | None = None,
    after: str = "",
    per_page: int = PER_PAGE,
) -> LibraryPage:
    """One page of the highlights library: highlights and article notes together, newest first (a
    note counts from its last edit), keyset-paged: ``after`` is the ``next_cursor`` of the page before
    (a bad one raises ArticleError). With ``color``, notes are left out (they have none). Two queries of
    at most ``per_page + 1`` rows each, whatever the page."""
    parsed = search_query_parse(query)
    cursor = None
    if after:
        cursor = _parse_cursor(after)
        if cursor is None:
            raise ArticleError(_("This page link is not valid any more."))
    highlights = highlight_queryset(user=user, query=parsed, tag=tag, color=color, article_id=article_id)
    if cursor:
        highlights = highlights.filter(_before("created_at", 0, cursor))
    items = [
        LibraryItem(KIND_HIGHLIGHT, h.pk, h.created_at, h.article, h.quote, h.note, h.color)
        for h in highlights.prefetch_related("article__tags")[: per_page + 1]
    ]
    if not color:
        notes = note_queryset(user=user, query=parsed, tag=tag, article_id=article_id).filter(
            note_updated_at__isnull=False
        )
        if cursor:
            notes = notes.filter(_before("note_updated_at", 1, cursor))
        items += [
            LibraryItem(KIND_NOTE, a.pk, a.note_updated_at or a.saved_at, a, note=a.note)
            for a in notes.prefetch_related("tags")[: per_page + 1]
        ]
    items.sort(key=lambda i: (i.when, 1 if i.kind == KIND_NOTE else 0, i.pk), reverse=True)
    page = items[:per_page]
    next_cursor = page[-1].cursor if len(items) > per_page else ""
    return LibraryPage(items=page, next_cursor=next_cursor, query=parsed)


# --- Exports ----------------------------------------------------------------------------------------


def _export_articles(user, query: str, tag: str, color: str, article_id: int | None) -> Iterator[Article]:
    """The articles with highlights or a note in the selection, newest save first, each with
    ``selected_highlights`` (oldest first) and ``selected_note`` attached; read in chunks."""
    parsed = search_query_parse(query)
    highlights = highlight_queryset(user=user, query=parsed, tag=tag, color=color, article_id=article_id)
    with_note = (
        set()
        if color
        else set(
            note_queryset(user=user, query=parsed, tag=tag, article_id=article_id).values_list(
                "pk", flat=True
            )
        )
    )
    ids = set(highlights.values_list("article_id", flat=True)) | with_note
    articles = (
        Article.objects.filter(user=user, pk__in=ids).prefetch_related("tags").order_by("-saved_at", "-id")
    )
    chunk: list[Article] = []
    for article in articles.iterator(chunk_size=200):
        chunk.append(article)
        if len(chunk) == 200:
            yield from _attach(chunk, highlights, with_note)
            chunk = []
    if chunk:
        yield from _attach(chunk, highlights, with_note)


def _attach(chunk: list[Article], highlights: QuerySet[Highlight], with_note: set[int]) -> list[Article]:
    by_article: dict[int, list[Highlight]] = {}
    for h in highlights.filter(article_id__in=[a.pk for a in chunk]).order_by("created_at", "id"):
        by_article.setdefault(h.article_id, []).append(h)
    for article in chunk:
        # Attached for the exports only (not model fields; mypy's django plugin does not know them).
        article.selected_highlights = by_article.get(article.pk, [])  # type: ignore[attr-defined]
        article.selected_note = article.note if article.pk in with_note else ""  # type: ignore[attr-defined]
    return chunk


def highlights_markdown(article: Article) -> str:
    """One article's highlights and note as Markdown for Obsidian: YAML front matter (title, url, author,
    site, saved, tags; values JSON-quoted, which is valid YAML, with no ``<``, ``>`` or ``&``: exporting's
    ``front_matter_value``), the title, the note, then each highlight as a quote with its note and colour. Text
    is written with exporting's ``markdown_text`` (issue 21.5): it renders as itself, never as HTML or
    a link."""
    meta = {
        "title": article.display_title,
        "url": article.url,
        "author": article.author or None,
        "site": article.site_name or None,
        "saved": article.saved_at.isoformat() if article.saved_at else None,
        "tags": [t.name for t in article.tags.all()],
    }
    front = "\n".join(f"{key}: {front_matter_value(value)}" for key, value in meta.items())
    parts = [f"---\n{front}\n---\n", f"# {markdown_text(article.display_title)}\n"]
    note = getattr(article, "selected_note", article.note)
    if note:
        parts.append("## Note\n\n" + "\n".join(markdown_text(line) for line in note.splitlines()) + "\n")
    highlights = getattr(article, "selected_highlights", [])
    if highlights:
        parts.append("## Highlights\n")
        for h in highlights:
            block = "\n".join("> " + markdown_text(line) for line in h.quote.splitlines())
            text = f"{block}\n"
            if h.note:
                text += "\n" + "\n".join(markdown_text(line) for line in h.note.splitlines()) + "\n"
            text += f"\n*{h.color}, {h.created_at.date().isoformat()}*\n"
            parts.append(text)
    return "\n".join(parts)


def highlights_export_markdown_zip(
    *, user: User, query: str = "", tag: str = "", color: str = "", article_id: int | None = None
):
    """A ZIP of one ``highlights/<id>-<slug>.md`` per article with highlights or a note in the selection
    (same arguments as highlights_library_page). Returns an open binary file positioned at 0, held in
    memory up to ZIP_SPOOL_BYTES and on disk beyond (bounded memory); the caller closes it."""
    out = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for article in _export_articles(user, query, tag, color, article_id):
            name = f"highlights/{article.pk}-{file_slug(article.display_title, 'article')}.md"
            archive.writestr(name, highlights_markdown(article))
    out.seek(0)
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


def highlights_export_readwise_csv(
    *, user: User, query: str = "", tag: str = "", color: str = "", article_id: int | None = None
) -> Iterator[str]:
    """Readwise's CSV (READWISE_COLUMNS), one row per highlight and one per article note (its Highlight
    cell is the note, as Readwise keeps document notes), as lines of text to stream. Cells that a
    spreadsheet would read as a formula get a leading ``'`` (exporting.csv_cell). Location is the
    highlight's text offset when the reader recorded one, else empty; Date is UTC."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(READWISE_COLUMNS)  # a BOM so that spreadsheets read UTF-8
    for article in _export_articles(user, query, tag, color, article_id):
        common = (article.display_title, article.author, article.url)
        if article.selected_note:  # type: ignore[attr-defined]
            when = article.note_updated_at or article.saved_at
            yield writer.writerow(
                [csv_cell(v) for v in (article.selected_note, *common, "", "", _readwise_date(when))]  # type: ignore[attr-defined]
            )
        for h in article.selected_highlights:  # type: ignore[attr-defined]
            start = h.anchor.get("start") if isinstance(h.anchor, dict) else None
            location = start if isinstance(start, int) and not isinstance(start, bool) else ""
            yield writer.writerow(
                [csv_cell(v) for v in (h.quote, *common, h.note, location, _readwise_date(h.created_at))]
            )


def _readwise_date(when: dt.datetime | None) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if when else ""


def highlights_export_readwise_text(**kwargs) -> str:
    """The whole Readwise CSV as one string (tests and small selections)."""
    return "".join(highlights_export_readwise_csv(**kwargs))


__all__ = [
    "PER_PAGE",
    "READWISE_COLUMNS",
    "LibraryItem",
    "LibraryPage",
    "highlight_queryset",
    "highlights_export_markdown_zip",
    "highlights_export_readwise_csv",
    "highlights_export_readwise_text",
    "highlights_library_page",
    "highlights_markdown",
    "note_queryset",
]
