"""Per-row view-models of the library list (linkding's ``BookmarkItem`` pattern): everything a row shows,
worked out in Python once, so that ``templates/articles/_article_row_item.html`` only prints values.

No queries here: the rows come from ``queries.article_page`` / ``queries.article_list`` (tags attached as
``tag_list`` or prefetched, the stored lead image as the ``lead_thumb`` annotation, see
``queries.with_lead_thumb``). Dates are in the current time zone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext
from markupsafe import Markup

from .fetching import REASONS_WITH_VALUES
from .models import Article, Tag

#: Characters of the excerpt a row shows (a longer one is cut at a word and ends with "…").
EXCERPT_CHARS = 200

_SENTINEL = "987654321"
_patterns: dict[tuple[str, str, bool], str] = {}


def url_for(name: str, arg: object | None = None) -> str:
    """``reverse(name, args=[arg])`` (``reverse(name)`` without ``arg``), with the pattern resolved
    once per process and script prefix: 50 rows need about 200 addresses, and ``reverse`` cost 0.7 ms of
    CPU per row."""
    return _url_under(get_script_prefix(), name, arg)


def _url_under(prefix: str, name: str, arg: object | None = None) -> str:
    key = (prefix, name, arg is None)
    if key not in _patterns:
        _patterns[key] = reverse(name) if arg is None else reverse(name, args=[_SENTINEL])
    pattern = _patterns[key]
    return pattern if arg is None else pattern.replace(_SENTINEL, str(arg), 1)


@dataclass(slots=True)
class LibraryRow:
    """One row of a library list. ``progress`` is a whole percentage (0 when not started, None when read);
    ``thumbnail_url`` is Folio's URL of the stored lead image ('' when there is none); ``site_url`` the
    site's list ('' without a site name); ``selected`` marks the row's checkbox (a bulk action keeps its
    selection)."""

    pk: int
    reader_url: str
    row_url: str
    site_url: str
    title: str
    status: str
    status_label: str
    classes: str
    site: str
    site_name: str
    saved_at: datetime
    saved_label: str
    reading_time: int
    progress: int | None
    is_read: bool
    is_archived: bool
    is_favorite: bool
    is_pending: bool
    is_failed: bool
    tags: list[Tag]
    thumbnail_url: str
    excerpt: str
    failure_reason: str
    selected: bool = False
    #: Sentences with the row's values in them, in the active language (the template only prints them).
    select_label: str = ""
    actions_label: str = ""
    tags_label: str = ""
    reading_label: str = ""
    progress_label: str = ""
    more_from_label: str = ""


def _excerpt(text: str) -> str:
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text[: EXCERPT_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut).rstrip(" ,.;:") + "…"


def _thumbnail_url(key: str | None) -> str:
    """``"<content type>|<digest>"`` (queries.with_lead_thumb) -> the articles:image URL, or ''."""
    if not key or "|" not in key:
        return ""
    content_type, digest = key.split("|", 1)
    extension = "jpg" if content_type == "image/jpeg" else "webp"
    return reverse("articles:image", kwargs={"digest": digest, "ext": extension})


@functools.lru_cache(maxsize=16)
def row_labels(language: str | None) -> dict[str, str]:
    """The words of a library row in ``language`` (the active one; the argument is the cache key),
    translated once per language and process: a gettext call per word and row cost about 4 ms per 50-row
    page (the Jinja2 template prints ``labels.<name>``). The sentences with the row's values in them are
    %-templates, filled in per row by ``library_row``."""
    return {
        "saved": gettext("Saved"),
        "favorite": gettext("Favorite"),
        "read": gettext("Read"),
        "archived": gettext("Archived"),
        "tags": gettext("Tags"),
        "actions": gettext("Actions"),
        "add_tags": gettext("Add tags"),
        "separated": gettext("Separated by commas"),
        "add": gettext("Add"),
        "mark_read": gettext("Mark read"),
        "mark_unread": gettext("Mark unread"),
        "archive": gettext("Archive"),
        "unarchive": gettext("Unarchive"),
        "unfavorite": gettext("Unfavorite"),
        "retry": gettext("Retry"),
        "refetch": gettext("Refetch"),
        "delete": gettext("Delete"),
        "select_title": gettext("Select “%(title)s”"),
        "actions_for_title": gettext("Actions for “%(title)s”"),
        "tags_for_title": gettext("Tags for “%(title)s” (separated by commas)"),
        "percent_read": gettext("%(percent)d%% read"),
        "more_from_site": gettext("More from %(site)s"),
        **{f"status_{value}": str(label) for value, label in Article.Status.choices},
    }


@functools.lru_cache(maxsize=1024)
def _minutes_label(minutes: int, language: str | None) -> str:
    return ngettext("%(minutes)d min", "%(minutes)d min", minutes) % {"minutes": minutes}


@functools.lru_cache(maxsize=1024)
def _day_label(day: date, with_year: bool, language: str | None) -> str:
    """The day in the active language's format: "3 Nov" / "3. November" / "3 novembre" (with the year,
    "1 May 2025" / "1. Mai 2025": MONTH_DAY_FORMAT and DATE_FORMAT of ``language``, English from
    reader/formats/en). Cached per language: formatting is 0.3 ms a call, and a page's rows share few days."""
    return formats.date_format(day, "DATE_FORMAT" if with_year else "MONTH_DAY_FORMAT")


def stored_text(text: str) -> str:
    """A sentence Folio stored in English (a failure reason written by the worker, an import problem)
    in the active language: a fixed sentence of the catalogue (marked with ``gettext_noop`` where it is
    raised: articles/fetching.py, extraction, importers) is looked up as it is; one of the fetch client's
    sentences with values (``fetching.REASONS_WITH_VALUES``, "The server answered 404 Not Found.") is
    matched back to its msgid and translated with the same values. Anything else is shown as stored."""
    if not text:
        return ""
    translated = gettext(text)
    if translated != text or get_language() in (None, "en"):
        return translated
    for msgid, pattern in _stored_patterns():
        match = pattern.match(text)
        if match:
            return gettext(msgid) % match.groupdict()
    return text


@functools.cache
def _stored_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(msgid, regex) for each of fetching.REASONS_WITH_VALUES: ``%(host)s`` becomes ``(?P<host>.+?)``."""
    patterns = []
    for msgid in REASONS_WITH_VALUES:
        parts = re.split(r"%\((\w+)\)s", msgid)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        patterns.append((msgid, re.compile(f"^{regex}$", re.S)))
    return patterns


def library_row(
    article: Article,
    *,
    now: datetime | None = None,
    selected: bool = False,
    prefix: str | None = None,
    language: str | None = None,
) -> LibraryRow:
    """The view-model of ``article``'s row. ``now`` (default: the current time) decides whether the saved
    date shows its year (only when it is not this year's); ``prefix`` is the script prefix (looked up when
    not given)."""
    now = timezone.localtime(now or timezone.now())
    language = language or get_language()
    labels = row_labels(language)
    title, site = article.display_title, article.site_name or article.domain
    url = url_for if prefix is None else functools.partial(_url_under, prefix)
    saved = timezone.localtime(article.saved_at) if article.saved_at else now
    tags = getattr(article, "tag_list", None)
    if tags is None:
        tags = list(article.tags.all())
    classes = f"article-row status-{article.status}"
    for flag, name in (
        (article.is_archived, "is-archived"),
        (article.is_read, "is-read"),
        (article.is_favorite, "is-favorite"),
    ):
        if flag:
            classes += f" {name}"
    return LibraryRow(
        pk=article.pk,
        reader_url=url("articles:reader", article.pk),
        row_url=url("articles:row", article.pk),
        site_url=url("articles:site", quote(article.site_name, safe="")) if article.site_name else "",
        title=article.display_title,
        status=article.status,
        status_label=labels.get(f"status_{article.status}", ""),
        classes=classes,
        site=article.site_name or article.domain,
        site_name=article.site_name,
        saved_at=saved,
        saved_label=_day_label(saved.date(), saved.year != now.year, language),
        reading_time=article.reading_time_minutes or 0,
        progress=None if article.is_read else int(article.progress_percent or 0),
        is_read=article.is_read,
        is_archived=article.is_archived,
        is_favorite=article.is_favorite,
        is_pending=article.is_pending,
        is_failed=article.status == Article.Status.FAILED,
        tags=list(tags),
        thumbnail_url=_thumbnail_url(getattr(article, "lead_thumb", None)),
        excerpt=_excerpt(article.excerpt or ""),
        failure_reason=stored_text(article.failure_reason),
        selected=selected,
        select_label=labels["select_title"] % {"title": title},
        actions_label=labels["actions_for_title"] % {"title": title},
        tags_label=labels["tags_for_title"] % {"title": title},
        reading_label=_minutes_label(article.reading_time_minutes or 0, language),
        progress_label=labels["percent_read"] % {"percent": int(article.progress_percent or 0)},
        more_from_label=labels["more_from_site"] % {"site": site},
    )


def library_rows(articles: Iterable[Article], *, selected: Collection[int] = ()) -> list[LibraryRow]:
    """The view-models of ``articles`` in order; rows whose id is in ``selected`` come checked."""
    now, prefix, language = timezone.now(), get_script_prefix(), get_language()
    return [
        library_row(a, now=now, selected=a.pk in selected, prefix=prefix, language=language) for a in articles
    ]


@dataclass(slots=True)
class SearchRow:
    """One search result (``templates/jinja2/articles/_search_rows.html``). ``headline`` is the passage
    that matched as safe HTML (Markup): articles.search made it (``headline_html``: the text escaped, the
    matches wrapped in ``<mark>``, then ``sanitizing.clean``; or the escaped excerpt), so the template
    prints it as it is; every other field is text the template escapes. ``date_label`` is the published
    day, or "saved <day>" for an article with none; ``date_iso`` the same day as YYYY-MM-DD."""

    pk: int
    reader_url: str
    title: str
    headline: Markup
    site: str
    date_iso: str
    date_label: str
    tags: list[str]


def search_row(article: Article, *, reader_suffix: str = "", prefix: str | None = None) -> SearchRow:
    """The view-model of one result of ``articles.search.article_search`` (an Article with ``.headline``;
    tags prefetched). ``reader_suffix`` is added to the reader's address (``?q=…``, so the reader marks the
    terms); ``prefix`` is the script prefix (looked up when not given)."""
    url = url_for if prefix is None else functools.partial(_url_under, prefix)
    language = get_language()
    if article.published:
        day: date = article.published
        date_label = _day_label(day, True, language)
    else:
        day = timezone.localtime(article.saved_at).date()
        date_label = gettext("saved %(date)s") % {"date": _day_label(day, True, language)}
    return SearchRow(
        pk=article.pk,
        reader_url=url("articles:reader", article.pk) + reader_suffix,
        title=article.display_title,
        headline=Markup(getattr(article, "headline", "") or ""),  # safe HTML: see SearchRow
        site=article.site_name or article.domain,
        date_iso=f"{day:%Y-%m-%d}",
        date_label=date_label,
        tags=[tag.name for tag in article.tags.all()],
    )


def search_rows(articles: Iterable[Article], *, reader_suffix: str = "") -> list[SearchRow]:
    """The view-models of a search page's ``articles`` in order (see ``search_row``)."""
    prefix = get_script_prefix()
    return [search_row(a, reader_suffix=reader_suffix, prefix=prefix) for a in articles]


def extraction_summary(log: dict | None) -> str:
    """The extraction log (``Article.extraction_log``) in plain words for the reader, e.g. "Extracted with
    trafilatura; 2 fixes applied; 1 warning." Fixes are the removed blocks plus the lazy-loaded images made
    normal and the tracker images dropped. '' for no log."""
    if not log:
        return ""
    extractor = log.get("extractor") or gettext("an unknown extractor")
    fallbacks = [f.get("extractor", "") for f in log.get("fallbacks") or [] if isinstance(f, dict)]
    if fallbacks:
        parts = [
            gettext("Extracted with %(extractor)s (after trying %(fallbacks)s)")
            % {"extractor": extractor, "fallbacks": ", ".join(name for name in fallbacks if name)}
        ]
    else:
        parts = [gettext("Extracted with %(extractor)s") % {"extractor": extractor}]
    images = log.get("images") or {}
    fixes = len(log.get("removed") or []) + int(images.get("lazy") or 0) + int(images.get("dropped") or 0)
    if fixes:
        parts.append(ngettext("%(count)d fix applied", "%(count)d fixes applied", fixes) % {"count": fixes})
    warnings = len(log.get("warnings") or [])
    if warnings:
        parts.append(ngettext("%(count)d warning", "%(count)d warnings", warnings) % {"count": warnings})
    return "; ".join(parts) + "."
