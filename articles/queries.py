"""Reads that take parameters: the user's library pages and single articles, always scoped by user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import Article, ArticleImage, Highlight, ImageJob, ReaderSettings, Tag

#: Columns a list page needs; article bodies and raw pages are never loaded for lists.
LIST_FIELDS = (
    "id",
    "user_id",
    "url",
    "final_url",
    "title",
    "site_name",
    "excerpt",
    "reading_time_minutes",
    "status",
    "failure_reason",
    "saved_at",
    "is_archived",
    "is_favorite",
    "read_at",
    "lead_image",
    "word_count",
    "progress_percent",
)


def with_lead_thumb(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """``queryset`` with ``lead_thumb``: ``"<content type>|<digest>"`` of the article's stored lead image
    (``ArticleImage``, is_lead), or None. A correlated subquery in the same SELECT (one index probe per row
    on the image's article id), so a list page needs no extra query for its thumbnails; ``rows.library_row``
    turns it into the image's URL."""
    lead = ArticleImage.objects.filter(
        article=OuterRef("pk"), is_lead=True, status=ArticleImage.Status.STORED
    ).annotate(key=Concat("content_type", Value("|"), "digest", output_field=CharField()))
    return queryset.annotate(lead_thumb=Subquery(lead.values("key")[:1]))


def article_list(*, user: AbstractBaseUser) -> QuerySet[Article]:
    """The user's articles, newest save first, without bodies (with ``lead_thumb``, see with_lead_thumb)."""
    return with_lead_thumb(
        Article.objects.filter(user=user, deleted_at__isnull=True)
        .only(*LIST_FIELDS)
        .prefetch_related("tags")
        .order_by("-saved_at", "-id")
    )


def article_get(*, user: AbstractBaseUser, pk: int) -> Article:
    """One of the user's articles; raises Article.DoesNotExist for anyone else's."""
    return Article.objects.filter(user=user, deleted_at__isnull=True).prefetch_related("tags").get(pk=pk)


# --- Library pages (keyset pagination) -------------------------------------------------------------------
#
# A page is the next ``limit`` rows after a cursor, never an OFFSET: the database walks the index from the
# cursor, so page 500 costs what page 1 costs ("Use The Index, Luke", Markus Winand, chapter "Paging
# Through Results"). No COUNT over the library either; "more" is known by reading one extra row.

#: The views of the library: the name in URLs -> (heading, filter on Article).
LIBRARY_VIEWS: dict[str, tuple[str, dict]] = {
    "unread": (gettext_lazy("Unread"), {"is_archived": False, "read_at__isnull": True}),
    "continue": (
        gettext_lazy("Continue reading"),
        {"is_archived": False, "read_at__isnull": True, "progress_percent__gt": 0},
    ),
    "favorites": (gettext_lazy("Favorites"), {"is_favorite": True}),
    "archive": (pgettext_lazy("library view", "Archive"), {"is_archived": True}),
    "all": (gettext_lazy("All articles"), {}),
    "tag": (gettext_lazy("Tag"), {}),
    "site": (gettext_lazy("Site"), {}),
}

#: Sort orders: name -> (label, key field, descending). The id breaks ties, in the same direction.
LIBRARY_SORTS: dict[str, tuple[str, str, bool]] = {
    "newest": (gettext_lazy("Newest first"), "saved_at", True),
    "oldest": (gettext_lazy("Oldest first"), "saved_at", False),
    "longest": (gettext_lazy("Longest first"), "word_count", True),
    "shortest": (gettext_lazy("Shortest first"), "word_count", False),
}


@dataclass(frozen=True)
class LibraryPage:
    """One page of a library view: the articles (without bodies, tags prefetched) and the cursor of the
    next page (``None`` on the last page)."""

    articles: list[Article]
    next_cursor: str | None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _cursor_encode(article: Article, field: str) -> str:
    """``"<value>_<id>"``: saved_at as whole microseconds since 1970 UTC (exact, URL-safe), else the int."""
    value = getattr(article, field)
    if field == "saved_at":
        value = (value - _EPOCH) // _MICROSECOND
    return f"{int(value)}_{article.pk}"


def _cursor_decode(cursor: str, field: str):
    """``"<value>_<id>"`` -> (value, id). Raises ValueError for a malformed cursor."""
    raw, _, pk = cursor.rpartition("_")
    value = int(raw)
    if field == "saved_at":
        try:
            value = _EPOCH + value * _MICROSECOND
        except OverflowError as exc:
            raise ValueError("cursor out of range") from exc
    return value, int(pk)


def article_page(
    *,
    user: AbstractBaseUser,
    view: str = "unread",
    tag: Tag | None = None,
    site: str = "",
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
    tags: Sequence[Tag] | None = None,
) -> LibraryPage:
    """The articles of one library view (see LIBRARY_VIEWS; ``tag`` for "tag", ``site`` = site_name for
    "site") in one of LIBRARY_SORTS, starting after ``cursor`` (from a previous page's ``next_cursor``).

    ``tags`` is the user's tag_list() when the caller has it already (the library page shows it); the
    rows' tags are taken from it. Two queries then: the rows (``limit + 1`` to learn whether there is a
    next page) and their tag ids (tags set as ``article.tag_list``); without ``tags``, a third reads them.
    Raises ValueError for an unknown view or sort, or a malformed cursor.
    """
    if view not in LIBRARY_VIEWS or sort not in LIBRARY_SORTS:
        raise ValueError(f"unknown view {view!r} or sort {sort!r}")
    _, field, descending = LIBRARY_SORTS[sort]
    qs = Article.objects.filter(user=user, deleted_at__isnull=True, **LIBRARY_VIEWS[view][1])
    if view == "tag":
        if tag is None:
            raise ValueError("the tag view needs a tag")
        qs = qs.filter(tags=tag)
    elif view == "site":
        qs = qs.filter(site_name=site)
    if cursor:
        value, pk = _cursor_decode(cursor, field)
        # The redundant "<=" lets the database start the index range at the cursor instead of filtering
        # every row before it.
        if descending:
            qs = qs.filter(**{f"{field}__lte": value}).filter(Q(**{f"{field}__lt": value}) | Q(id__lt=pk))
        else:
            qs = qs.filter(**{f"{field}__gte": value}).filter(Q(**{f"{field}__gt": value}) | Q(id__gt=pk))
    order = (f"-{field}", "-id") if descending else (field, "id")
    if view == "tag" and field == "saved_at":
        # A deferred join: pick the page's ids in a subquery, then load those rows. The subquery only needs
        # (user, saved_at, id) and the link table, so PostgreSQL walks the partial index
        # article_user_live_saved index-only and probes the (article, tag) unique index. Joined directly,
        # it read every article row it passed over to get the list columns. At 100,000 articles, for a tag
        # on 2.5% of them: 977 pages (index and 2,100 rows) read, now 14; 4.0 ms -> 1.6 ms with all
        # cached, 17-22 ms -> 2.3 ms when the articles were not (EXPLAIN ANALYZE, bench/library_bench.py
        # data). Rare tags are planned from the link table instead. The walk still passes over every
        # newer article: for a tag on only the 2,500 oldest articles it took 117 ms (1,028 ms joined
        # directly); only saved_at on the link table would bound that. Sorts by length gain nothing
        # (article_user_words has no deleted_at), so they keep the plain join.
        qs = Article.objects.filter(pk__in=qs.order_by(*order).values("pk")[: limit + 1])
    rows = list(with_lead_thumb(qs.only(*LIST_FIELDS)).order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if tags is None and rows:
        tags = tag_list(user=user)
    _attach_tags(rows, tags or [])
    return LibraryPage(rows, _cursor_encode(rows[-1], field) if more and rows else None)


def _attach_tags(articles: list[Article], tags: Sequence[Tag]) -> None:
    """Set ``article.tag_list`` on each article: its tags out of ``tags`` (the user's tag_list(), whose
    order they keep), found with one query on the link table.

    Leaner than ``prefetch_related("tags")``, whose per-object related managers cost more than the query
    itself on a 50-row page, and than joining the tag names in, which made a new Tag per link: 0.9 ms of
    CPU per 50-row page, now 0.45 ms (bench/library_bench.py data). A tag made after ``tags`` was read (by
    a concurrent request) is left out until the next page, as it is from the tag bar.
    """
    position = {t.pk: i for i, t in enumerate(tags)}
    found: dict[int, list[int]] = {a.pk: [] for a in articles}  # article id -> positions in ``tags``
    if found:
        links = Article.tags.through.objects.filter(article_id__in=list(found))
        for article_id, tag_id in links.values_list("article_id", "tag_id"):
            if tag_id in position:
                found[article_id].append(position[tag_id])
    for article in articles:
        article.tag_list = [tags[i] for i in sorted(found[article.pk])]


def tag_list(*, user: AbstractBaseUser) -> list[Tag]:
    """The user's tags by name (id and name only), for the sidebar, autocomplete and the tag view."""
    return list(Tag.objects.filter(user=user).only("id", "name").order_by(Lower("name"), "id"))


def article_get_deleted(*, user: AbstractBaseUser, pk: int) -> Article | None:
    """One of the user's deleted articles (for the undo row), or None."""
    return Article.objects.filter(user=user, pk=pk, deleted_at__isnull=False).only(*LIST_FIELDS).first()


def reader_settings_for(user: AbstractBaseUser) -> ReaderSettings:
    """The user's reader settings, or unsaved defaults. No query when the user was loaded by
    ``articles.auth.FolioModelBackend`` (which joins the settings in)."""
    if not getattr(user, "is_authenticated", False):
        return ReaderSettings()
    try:
        return user.reader_settings  # type: ignore[attr-defined]
    except ReaderSettings.DoesNotExist:
        return ReaderSettings(user=user)


def article_filter(
    queryset: QuerySet[Article],
    *,
    is_archived: bool | None = None,
    is_favorite: bool | None = None,
    is_read: bool | None = None,
    tag: str | None = None,
    status: str | None = None,
) -> QuerySet[Article]:
    """Narrow a queryset of one user's articles; ``None`` means "any". ``tag`` matches a tag name
    case-insensitively; ``status`` is one of Article.Status."""
    if is_archived is not None:
        queryset = queryset.filter(is_archived=is_archived)
    if is_favorite is not None:
        queryset = queryset.filter(is_favorite=is_favorite)
    if is_read is not None:
        queryset = queryset.filter(read_at__isnull=not is_read)
    if tag:
        queryset = queryset.filter(tags__name__iexact=tag)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def tag_list_counted(*, user: AbstractBaseUser) -> QuerySet:
    """The user's tags by name, each annotated with ``article_count`` (articles not deleted)."""
    from django.db.models import Count, Q

    from .models import Tag

    return (
        Tag.objects.filter(user=user)
        .annotate(article_count=Count("articles", filter=Q(articles__deleted_at__isnull=True)))
        .order_by("name", "id")
    )


def article_image_get(
    *, digest: str, content_type: str, user: AbstractBaseUser | None = None, article_id: int | None = None
) -> ArticleImage | None:
    """A stored image the viewer may see, or None.

    Give ``user`` (the owner: any of their articles holding an image with ``digest``) or ``article_id``
    (one article, e.g. shown through a share link: its images only). ``content_type`` must match the
    stored file's (the URL's extension). Never matches a failed image, and never without a scope.
    """
    if user is None and article_id is None:
        return None
    images = ArticleImage.objects.filter(
        digest=digest, content_type=content_type, status=ArticleImage.Status.STORED
    )
    if user is not None:
        images = images.filter(user=user)
    if article_id is not None:
        images = images.filter(article_id=article_id)
    return images.only("digest", "content_type", "byte_size").first()


def article_lead_image(*, article: Article) -> ArticleImage | None:
    """The article's stored lead image (for the reader and exports), or None."""
    return ArticleImage.objects.filter(
        article=article, is_lead=True, status=ArticleImage.Status.STORED
    ).first()


def highlight_article_id(*, user: AbstractBaseUser, highlight_id: int) -> int | None:
    """The id of the article holding the user's highlight ``highlight_id``; None when it is not theirs."""
    return (
        Highlight.objects.filter(pk=highlight_id, article__user=user)
        .values_list("article_id", flat=True)
        .first()
    )


def image_job_get(*, user: AbstractBaseUser, pk: int) -> ImageJob | None:
    """One of ``user``'s image jobs, or None."""
    return ImageJob.objects.filter(user=user, pk=pk).first()


# --- Offline reading (issue 12) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineList:
    """What the installed app keeps for reading offline: article ids in order ("Continue reading" first,
    most recently read first; then the newest unread saves) and the stored images of those articles as
    ``(article_id, url)`` pairs."""

    article_ids: list[int]
    images: list[tuple[int, str]]


def offline_reading_list(*, user: AbstractBaseUser, limit: int) -> OfflineList:
    """The newest ``limit`` unread, not archived, ready articles of ``user`` for offline reading, the ones
    being read ("Continue reading": some progress) first. Three queries whatever ``limit``."""
    if limit <= 0:
        return OfflineList([], [])
    unread = Article.objects.filter(
        user=user,
        deleted_at__isnull=True,
        status=Article.Status.READY,
        is_archived=False,
        read_at__isnull=True,
    )
    reading = list(
        unread.filter(progress_percent__gt=0)
        .order_by("-progress_updated_at", "-id")
        .values_list("id", flat=True)[:limit]
    )
    newest = list(
        unread.filter(progress_percent=0)
        .order_by("-saved_at", "-id")
        .values_list("id", flat=True)[: limit - len(reading)]
    )
    ids = reading + newest
    rows = ArticleImage.objects.filter(user=user, article_id__in=ids, status=ArticleImage.Status.STORED).only(
        "article_id", "digest", "content_type"
    )
    return OfflineList(ids, [(row.article_id, row.url) for row in rows])
