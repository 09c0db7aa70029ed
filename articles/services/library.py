"""Library state changes on a user's articles: read/archive/favorite states, progress, titles, deletion
with undo, tags (add, remove, rename, merge, delete) and reader settings. Single actions are bulk actions
with one id."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import ArticleError
from ..models import Article, ReaderSettings, Tag

MAX_TAG_LENGTH = 100


def clean_tag_names(names: Iterable[str]) -> list[str]:
    """Strip, collapse white space and de-duplicate (case-insensitively) tag names, keeping their order.

    Raises ArticleError for a name longer than 100 characters.
    """
    seen: set[str] = set()
    result: list[str] = []
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ArticleError(f"A tag name can have at most {MAX_TAG_LENGTH} characters.")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def tag_get_or_create_many(*, user: AbstractBaseUser, names: Iterable[str]) -> list[Tag]:
    """The user's tags with these names (matched case-insensitively), creating the missing ones."""
    wanted = clean_tag_names(names)
    tags: list[Tag] = []
    for name in wanted:
        tag = Tag.objects.filter(user=user, name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(user=user, name=name)
            except IntegrityError:  # created concurrently
                tag = Tag.objects.get(user=user, name__iexact=name)
        tags.append(tag)
    return tags


def article_tags_set(*, article: Article, names: Iterable[str], replace: bool = False) -> list[Tag]:
    """Add the named tags to ``article`` (or, with ``replace``, make them its only tags)."""
    tags = tag_get_or_create_many(user=article.user, names=names)
    if replace:
        article.tags.set(tags)
    elif tags:
        article.tags.add(*tags)
    return tags


def article_retry(*, user: AbstractBaseUser, ids: Iterable[int]) -> int:
    """Queue the user's articles with these ids for processing again (refetch / retry). Returns the count."""
    from django.utils import timezone

    from .saving import article_enqueue

    ids = list(
        Article.objects.filter(user=user, id__in=list(ids), deleted_at__isnull=True)
        .exclude(status=Article.Status.FETCHING)
        .values_list("id", flat=True)
    )
    Article.objects.filter(id__in=ids).update(
        status=Article.Status.QUEUED, failure_reason="", attempts=0, updated_at=timezone.now()
    )
    for article_id in ids:
        transaction.on_commit(lambda article_id=article_id: article_enqueue(article_id))
    return len(ids)


# --- Reading states, single and bulk -------------------------------------------------------------------
# Every function takes the acting user and a list of article ids; ids of other users' (or deleted) articles
# are ignored, so a forged id never touches someone else's row. Each is one UPDATE; the return value is the
# number of rows changed.


def _owned(user: AbstractBaseUser, ids: Iterable[int], *, deleted: bool = False):
    ids = [int(i) for i in ids]
    return Article.objects.filter(user=user, id__in=ids, deleted_at__isnull=not deleted)


def article_archive_bulk(*, user: AbstractBaseUser, ids: Iterable[int], value: bool = True) -> int:
    """Archive (``value=True``) or move back to the inbox (``False``) the user's articles ``ids``."""
    return _owned(user, ids).update(is_archived=value, updated_at=timezone.now())


def article_favorite_bulk(*, user: AbstractBaseUser, ids: Iterable[int], value: bool = True) -> int:
    """Mark (``value=True``) or unmark the user's articles ``ids`` as favorites."""
    return _owned(user, ids).update(is_favorite=value, updated_at=timezone.now())


def article_read_bulk(*, user: AbstractBaseUser, ids: Iterable[int], value: bool = True) -> int:
    """Mark the user's articles ``ids`` read (``read_at`` = now, kept if already read) or unread (cleared).

    Marking unread also resets the reading progress, so the article leaves "Continue reading".
    """
    now = timezone.now()
    if value:
        return _owned(user, ids).filter(read_at__isnull=True).update(read_at=now, updated_at=now)
    return _owned(user, ids).update(read_at=None, progress_percent=0.0, progress_paragraph=0, updated_at=now)


def article_delete_bulk(*, user: AbstractBaseUser, ids: Iterable[int]) -> int:
    """Delete the user's articles ``ids`` (soft: ``deleted_at`` is set, so article_restore_bulk can undo)."""
    now = timezone.now()
    return _owned(user, ids).update(deleted_at=now, updated_at=now)


def article_restore_bulk(*, user: AbstractBaseUser, ids: Iterable[int]) -> int:
    """Undo article_delete_bulk for the user's deleted articles ``ids``."""
    return _owned(user, ids, deleted=True).update(deleted_at=None, updated_at=timezone.now())


@transaction.atomic
def article_tag_bulk(*, user: AbstractBaseUser, ids: Iterable[int], names: Iterable[str]) -> list[Tag]:
    """Add the named tags (created on the fly, matched case-insensitively) to the user's articles ``ids``.

    Two queries for the links whatever the number of articles: one read of the existing links, one
    bulk insert. Returns the tags. Raises ArticleError for a tag name over 100 characters.
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


def article_untag_bulk(*, user: AbstractBaseUser, ids: Iterable[int], tag_ids: Iterable[int]) -> int:
    """Remove the user's tags ``tag_ids`` from the user's articles ``ids``. Returns the links removed."""
    through = Article.tags.through
    deleted, _ = through.objects.filter(
        article__in=_owned(user, ids), tag__user=user, tag_id__in=[int(t) for t in tag_ids]
    ).delete()
    return deleted


def article_title_set(*, user: AbstractBaseUser, pk: int, title: str) -> str:
    """Change the title the person sees. Blank titles are refused (ArticleError). Returns the stored title."""
    title = " ".join(title.split())[:500]
    if not title:
        raise ArticleError("The title cannot be empty.")
    if not _owned(user, [pk]).update(title=title, updated_at=timezone.now()):
        raise ArticleError("No such article.")
    return title


#: Progress at or past this percentage counts as finished and marks the article read.
FINISHED_PERCENT = 98.0


def article_progress_set(*, user: AbstractBaseUser, pk: int, percent: float, paragraph: int) -> bool:
    """Store how far the person has read: ``percent`` (0-100, clamped) and the index of the paragraph
    nearest the top of the screen (>= 0). Reaching FINISHED_PERCENT marks the article read (once).

    Returns True when this call finished the article. Raises ArticleError for an unknown article.
    """
    percent = min(100.0, max(0.0, float(percent)))
    paragraph = max(0, int(paragraph))
    now = timezone.now()
    rows = _owned(user, [pk]).update(
        progress_percent=percent, progress_paragraph=paragraph, progress_updated_at=now, updated_at=now
    )
    if not rows:
        raise ArticleError("No such article.")
    if percent >= FINISHED_PERCENT:
        return bool(_owned(user, [pk]).filter(read_at__isnull=True).update(read_at=now))
    return False


# --- Tags ----------------------------------------------------------------------------------------------


@transaction.atomic
def tag_merge(*, user: AbstractBaseUser, source_ids: Iterable[int], target_id: int) -> Tag:
    """Move every article of the user's tags ``source_ids`` to tag ``target_id`` and delete the sources.

    Raises ArticleError if the target is not one of the user's tags.
    """
    target = Tag.objects.filter(user=user, pk=int(target_id)).first()
    if target is None:
        raise ArticleError("No such tag.")
    sources = list(
        Tag.objects.filter(user=user, pk__in=[int(s) for s in source_ids])
        .exclude(pk=target.pk)
        .values_list("pk", flat=True)
    )
    if not sources:
        return target
    through = Article.tags.through
    article_ids = set(through.objects.filter(tag_id__in=sources).values_list("article_id", flat=True))
    already = set(
        through.objects.filter(tag=target, article_id__in=article_ids).values_list("article_id", flat=True)
    )
    links = [through(article_id=a, tag_id=target.pk) for a in sorted(article_ids - already)]
    through.objects.bulk_create(links, ignore_conflicts=True)
    Tag.objects.filter(pk__in=sources).delete()
    return target


@transaction.atomic
def tag_rename(*, user: AbstractBaseUser, pk: int, name: str) -> Tag:
    """Rename the user's tag ``pk``. If another of the user's tags already has that name (ignoring case),
    the two are merged into that one. Raises ArticleError for an unknown tag or a blank/too long name.
    """
    names = clean_tag_names([name])
    if not names:
        raise ArticleError("A tag needs a name.")
    tag = Tag.objects.filter(user=user, pk=int(pk)).first()
    if tag is None:
        raise ArticleError("No such tag.")
    other = Tag.objects.filter(user=user, name__iexact=names[0]).exclude(pk=tag.pk).first()
    if other is not None:
        return tag_merge(user=user, source_ids=[tag.pk], target_id=other.pk)
    tag.name = names[0]
    tag.save(update_fields=["name"])
    return tag


def tag_delete(*, user: AbstractBaseUser, pk: int) -> bool:
    """Delete the user's tag ``pk`` (its articles stay). Returns False if there was no such tag."""
    deleted, _ = Tag.objects.filter(user=user, pk=int(pk)).delete()
    return bool(deleted)


# --- Reader settings -----------------------------------------------------------------------------------

#: Allowed values of the reader settings form (the CSS has one class per value; no inline styles).
FONT_SIZES = tuple(range(14, 29))  # px
LINE_HEIGHTS = tuple(round(1.2 + i / 10, 1) for i in range(11))  # 1.2 .. 2.2
COLUMN_WIDTHS = tuple(range(28, 61, 2))  # em


def reader_settings_update(*, user: AbstractBaseUser, **values) -> ReaderSettings:
    """Store the user's reader settings (font, font_size, line_height, column_width, theme). Values must
    already be valid (the form checks them against the choices above). Returns the saved settings.
    """
    allowed = {"font", "font_size", "line_height", "column_width", "theme"}
    unknown = set(values) - allowed
    if unknown:
        raise ArticleError(f"Unknown reader settings: {', '.join(sorted(unknown))}")
    obj, _ = ReaderSettings.objects.update_or_create(user=user, defaults=values)
    return obj
