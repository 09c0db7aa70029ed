"""Library state of a person's articles: one door per operation for every face (pages, Folio's API, the
wallabag API, offline sync, imports' states).

``article_update`` changes one article; the ``*_bulk`` functions change many by id (a single action on a
page is a bulk action with one id). Every function takes the acting ``user`` and scopes by it: ids of
other people's (or deleted) articles are ignored by the bulk functions and raise ArticleNotFound in
``article_update``, so a forged id never touches someone else's row.

Rules, the same on every face:

- **A blank title is refused** (ArticleError "The title cannot be empty."): the API answers 400, the
  reader page shows the message. A title the person sets is kept when the article is processed again
  (it joins ``Article.stated_fields``; issue 21 item 7).
- **Reading progress at or past FINISHED_PERCENT (98 %) marks the article read** (once: the first read
  time is kept), from the reader, the API and every other face.
- Marking an article unread also resets its reading progress, so it leaves "Continue reading".
- **The note on the article** (``note``) is stripped and at most ARTICLE_NOTE_MAX_LENGTH (10,000)
  characters (ArticleError); it is searchable (the search triggers index it beside the tags).
- **Reading progress that advances records a reading event** (``ReadingEvent``: one row per article and
  day, services.reading), from which the statistics page counts words and minutes read.
- Archiving does not change the read state; a face whose protocol says otherwise (wallabag's
  ``archive=1``: archived and read) passes both.
- **The newest change wins** (issue 12, offline reading). A change made offline is sent later with the
  time it was made (``changed_at``); it applies only if it is newer than what the server has: the read,
  archive and favorite marks are compared with ``Article.marks_changed_at``, the reading position with
  ``progress_updated_at``. Every mark change stamps ``marks_changed_at``. A client's time is capped at the
  server's now, so a phone whose clock runs ahead cannot block later changes. Changes without
  ``changed_at`` (made online) are stamped now and always apply.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from ..errors import ArticleError, ArticleNotFound
from ..languages import search_config_for
from ..limits import ARTICLE_NOTE_MAX_LENGTH, FINISHED_PERCENT, TITLE_MAX_LENGTH
from ..models import Article, Tag
from . import enqueue, reading
from .events import ARTICLE_ARCHIVED, ARTICLE_FAVORITED, emit, emit_many
from .saving.metadata import clean_metadata
from .tags import article_tags_set, tag_get_or_create_many

__all__ = [
    "FINISHED_PERCENT",
    "article_archive_bulk",
    "article_delete_bulk",
    "article_favorite_bulk",
    "article_read_bulk",
    "article_restore_bulk",
    "article_retry",
    "article_tag_bulk",
    "article_untag_bulk",
    "article_update",
    "change_time",
    "clean_note",
    "clean_title",
]


def _owned(user: User, ids: Iterable[int], *, deleted: bool = False) -> QuerySet[Article]:
    ids = [int(i) for i in ids]
    return Article.objects.filter(user=user, id__in=ids, deleted_at__isnull=not deleted)


def change_time(changed_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The time a change counts as made: ``changed_at`` (a client's time, aware) capped at ``now``, or
    ``now`` for a change made online (``changed_at`` None)."""
    return now if changed_at is None else min(changed_at, now)


def _is_stale(changed_at: dt.datetime | None, when: dt.datetime, server_time: dt.datetime | None) -> bool:
    """True when a change sent later (``changed_at`` given) is older than the server's ``server_time``."""
    return changed_at is not None and server_time is not None and when < server_time


def _newer_marks(queryset: QuerySet[Article], changed_at: dt.datetime | None, when: dt.datetime):
    """``queryset`` without the rows whose marks changed after ``when`` (for a change sent later)."""
    if changed_at is None:
        return queryset
    return queryset.filter(Q(marks_changed_at__isnull=True) | Q(marks_changed_at__lte=when))


def clean_title(title: str) -> str:
    """``title`` with white space collapsed. Raises ArticleError when it is blank or longer than
    TITLE_MAX_LENGTH (500) characters."""
    title = " ".join(str(title).split())
    if not title:
        raise ArticleError(gettext("The title cannot be empty."))
    if len(title) > TITLE_MAX_LENGTH:
        raise ArticleError(
            gettext("A title can have at most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
        )
    return title


def clean_note(note: str) -> str:
    """``note`` with surrounding white space removed ("" clears the note). Raises ArticleError when it is
    longer than ARTICLE_NOTE_MAX_LENGTH (10,000) characters."""
    note = str(note).strip()
    if len(note) > ARTICLE_NOTE_MAX_LENGTH:
        raise ArticleError(
            _("A note can have at most %(count)d characters.") % {"count": ARTICLE_NOTE_MAX_LENGTH}
        )
    return note


@transaction.atomic
def article_update(
    *,
    user: User,
    pk: int,
    title: str | None = None,
    tags: Iterable[str] | None = None,
    is_read: bool | None = None,
    is_archived: bool | None = None,
    is_favorite: bool | None = None,
    progress_percent: float | None = None,
    progress_paragraph: int | None = None,
    metadata: Mapping[str, object] | None = None,
    note: str | None = None,
    changed_at: dt.datetime | None = None,
) -> Article:
    """Change the given attributes of the user's article ``pk``; ``None`` leaves an attribute as it is.

    - ``title``: white space collapsed; blank or over 500 characters is refused (ArticleError). The title
      then stays when the article is processed again.
    - ``tags``: the article's complete tag list (replaces its tags; names as in tags.clean_tag_names).
    - ``is_read``: True sets ``read_at`` to now (the first read time is kept); False clears it and resets
      the reading progress (as article_read_bulk does).
    - ``progress_percent``: 0-100, clamped; ``progress_paragraph``: index of the paragraph nearest the top
      of the screen, clamped to >= 0. Either stamps ``progress_updated_at``. A percentage at or past
      FINISHED_PERCENT (98) marks the article read, unless the same call says ``is_read=False``.
    - ``metadata``: stated values of Article.METADATA_FIELDS (checked by saving's clean_metadata; the
      wallabag API's PATCH of language, preview_picture, published_at, authors); they join
      ``stated_fields``, so processing keeps them.
    - ``note``: the person's note on the article (see clean_note; "" clears it); stamps ``note_updated_at``.
    - ``changed_at``: when a change made offline was made (aware datetime); marks or a position older
      than the server's are left as they are (the newest change wins, see the module docstring).

    Returns the updated article. Raises ArticleNotFound when ``pk`` is not one of the user's live articles,
    ArticleError for a refused value (a NaN percentage, a bad title, a tag name over 100 characters).
    """
    article = _owned(user, [pk]).select_for_update().first()
    if article is None:
        raise ArticleNotFound()
    now = timezone.now()
    when = change_time(changed_at, now)
    if _is_stale(changed_at, when, article.marks_changed_at):
        is_read = is_archived = is_favorite = None
    if _is_stale(changed_at, when, article.progress_updated_at):
        progress_percent = progress_paragraph = None
    changed: set[str] = set()
    previous_percent = article.progress_percent
    if note is not None:
        article.note = clean_note(note)
        article.note_updated_at = now
        changed |= {"note", "note_updated_at"}
    if title is not None:
        article.title = clean_title(title)
        if "title" not in article.stated_fields:
            article.stated_fields = [*article.stated_fields, "title"]
        changed |= {"title", "stated_fields"}
    stated = clean_metadata(metadata)
    if stated:
        for name, value in stated.items():
            setattr(article, name, value)
        if "language" in stated:
            article.search_config = search_config_for(str(stated["language"]))
            changed.add("search_config")
        article.stated_fields = sorted(set(article.stated_fields) | set(stated))
        changed |= {"stated_fields", *stated}
    turned_on = [
        event
        for event, name, value in (
            (ARTICLE_ARCHIVED, "is_archived", is_archived),
            (ARTICLE_FAVORITED, "is_favorite", is_favorite),
        )
        if value and not getattr(article, name)
    ]
    for name, value in (("is_archived", is_archived), ("is_favorite", is_favorite)):
        if value is not None:
            setattr(article, name, bool(value))
            changed.add(name)
    if is_read is False:
        article.read_at = None
        article.progress_percent, article.progress_paragraph = 0.0, 0
        changed |= {"read_at", "progress_percent", "progress_paragraph"}
    if progress_percent is not None:
        percent = float(progress_percent)
        if math.isnan(percent):
            raise ArticleError(gettext("Reading progress is a percentage from 0 to 100."))
        article.progress_percent = min(100.0, max(0.0, percent))
        changed.add("progress_percent")
    if progress_paragraph is not None:
        article.progress_paragraph = max(0, int(progress_paragraph))
        changed.add("progress_paragraph")
    if progress_percent is not None or progress_paragraph is not None:
        article.progress_updated_at = when
        changed.add("progress_updated_at")
    finished = progress_percent is not None and article.progress_percent >= FINISHED_PERCENT
    if finished and _is_stale(changed_at, when, article.marks_changed_at):
        finished = False  # marked unread (or read) after this position was reached
    if (is_read or (finished and is_read is None)) and article.read_at is None:
        article.read_at = when
        changed.add("read_at")
    if {"read_at", "is_archived", "is_favorite"} & changed:
        article.marks_changed_at = when
        changed.add("marks_changed_at")
    if changed:
        article.save(update_fields=[*sorted(changed), "updated_at"])
    if "progress_percent" in changed and article.progress_percent > previous_percent:
        reading.reading_event_record(
            article=article, start=previous_percent, end=article.progress_percent, when=when
        )
    if tags is not None:
        article_tags_set(article=article, names=tags, replace=True)
    for event in turned_on:
        emit(event, user_id=article.user_id, article_id=article.pk)
    return article


def article_retry(*, user: User, ids: Iterable[int]) -> int:
    """Queue the user's articles ``ids`` for processing again (refetch / retry), attempts counted from
    zero. Articles being fetched right now are left alone. Returns how many were queued; each task is sent
    when the transaction commits."""
    ids = list(_owned(user, ids).exclude(status=Article.Status.FETCHING).values_list("id", flat=True))
    Article.objects.filter(id__in=ids).update(
        status=Article.Status.QUEUED, failure_reason="", attempts=0, updated_at=timezone.now()
    )
    for article_id in ids:
        transaction.on_commit(partial(enqueue.article_process_enqueue, article_id))
    return len(ids)


# --- Reading states in bulk: each is one UPDATE; the return value is the number of rows changed. -------


# A mark change sent later (``changed_at``, offline reading) skips the articles whose marks changed after it.


def article_archive_bulk(
    *, user: User, ids: Iterable[int], value: bool = True, changed_at: dt.datetime | None = None
) -> int:
    """Archive (``value=True``) or move back to the inbox (``False``) the user's articles ``ids``; the read
    state does not change. ``changed_at``: see the module docstring (the newest change wins). Emits
    ``article.archived`` for each article that was not archived (services.events)."""
    now = timezone.now()
    when = change_time(changed_at, now)
    rows = _newer_marks(_owned(user, ids), changed_at, when)
    if value:  # article.archived for the rows that were not archived
        emit_many(
            ARTICLE_ARCHIVED,
            user_id=user.pk,
            article_ids=rows.filter(is_archived=False).values_list("id", flat=True),
        )
    return rows.update(is_archived=value, marks_changed_at=when, updated_at=now)


def article_favorite_bulk(
    *, user: User, ids: Iterable[int], value: bool = True, changed_at: dt.datetime | None = None
) -> int:
    """Mark (``value=True``) or unmark the user's articles ``ids`` as favorites. ``changed_at``: see the
    module docstring (the newest change wins). Emits ``article.favorited`` for each article that was not
    a favorite (services.events)."""
    now = timezone.now()
    when = change_time(changed_at, now)
    rows = _newer_marks(_owned(user, ids), changed_at, when)
    if value:  # article.favorited for the rows that were not favorites
        emit_many(
            ARTICLE_FAVORITED,
            user_id=user.pk,
            article_ids=rows.filter(is_favorite=False).values_list("id", flat=True),
        )
    return rows.update(is_favorite=value, marks_changed_at=when, updated_at=now)


def article_read_bulk(
    *, user: User, ids: Iterable[int], value: bool = True, changed_at: dt.datetime | None = None
) -> int:
    """Mark the user's articles ``ids`` read (``read_at`` = now, kept if already read) or unread (cleared).

    Marking unread also resets the reading progress, so the article leaves "Continue reading".
    ``changed_at``: see the module docstring (the newest change wins).
    """
    now = timezone.now()
    when = change_time(changed_at, now)
    rows = _newer_marks(_owned(user, ids), changed_at, when)
    if value:
        rows.filter(read_at__isnull=False).update(marks_changed_at=when)
        return rows.filter(read_at__isnull=True).update(read_at=when, marks_changed_at=when, updated_at=now)
    return rows.update(
        read_at=None, progress_percent=0.0, progress_paragraph=0, marks_changed_at=when, updated_at=now
    )


def article_delete_bulk(*, user: User, ids: Iterable[int]) -> int:
    """Delete the user's articles ``ids`` (soft: ``deleted_at`` is set, so article_restore_bulk can undo
    and saving the same address again restores it)."""
    now = timezone.now()
    return _owned(user, ids).update(deleted_at=now, updated_at=now)


def article_restore_bulk(*, user: User, ids: Iterable[int]) -> int:
    """Undo article_delete_bulk for the user's deleted articles ``ids``."""
    return _owned(user, ids, deleted=True).update(deleted_at=None, updated_at=timezone.now())


@transaction.atomic
def article_tag_bulk(*, user: User, ids: Iterable[int], names: Iterable[str]) -> list[Tag]:
    """Add the named tags (created on the fly, matched ignoring case) to the user's articles ``ids``.

    Two queries for the links whatever the number of articles: one read of the existing links, one bulk
    insert. Returns the tags. Raises ArticleError for a tag name over 100 characters.
    """
    tags = tag_get_or_create_many(user=user, names=names)
    article_ids = list(_owned(user, ids).values_list("id", flat=True))
    if not tags or not article_ids:
        return tags
    through = Article.tags.through
    existing = set(
        through.objects.filter(article_id__in=article_ids, tag__in=tags).values_list("article_id", "tag_id")
    )
    links = [
        through(article_id=a, tag_id=t.pk) for a in article_ids for t in tags if (a, t.pk) not in existing
    ]
    through.objects.bulk_create(links, ignore_conflicts=True)
    return tags


def article_untag_bulk(*, user: User, ids: Iterable[int], tag_ids: Iterable[int]) -> int:
    """Remove the user's tags ``tag_ids`` from the user's articles ``ids``. Returns the links removed."""
    through = Article.tags.through
    deleted, _ = through.objects.filter(
        article__in=_owned(user, ids), tag__user=user, tag_id__in=[int(t) for t in tag_ids]
    ).delete()
    return deleted
