"""State changes the REST API and the settings page need: editing one article, deleting it, renaming,
merging and deleting tags, and the person's saving options.

Every function takes objects the caller already fetched scoped to the requesting user (``queries`` or a
``user=`` filter), so a person can only ever change their own rows. Errors a person can fix are raised as
``ArticleError`` with a message to show.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..errors import ArticleError
from ..models import Article, ReaderSettings, Tag
from .library import MAX_TAG_LENGTH, article_tags_set


@transaction.atomic
def article_update(
    *,
    article: Article,
    title: str | None = None,
    tags: Iterable[str] | None = None,
    is_read: bool | None = None,
    is_archived: bool | None = None,
    is_favorite: bool | None = None,
    progress_percent: float | None = None,
    progress_paragraph: int | None = None,
) -> Article:
    """Change the given attributes of ``article``; ``None`` leaves an attribute as it is.

    - ``title``: at most 500 characters; an empty title shows the address instead.
    - ``tags``: the article's complete tag list (replaces the current tags; names as in ``clean_tag_names``).
    - ``is_read``: True sets ``read_at`` to now (kept if already read); False clears it.
    - ``progress_percent``: 0-100 (float); ``progress_paragraph``: index of the nearest paragraph, >= 0.
      Either one stamps ``progress_updated_at``.

    Returns the article with the new values. Raises ArticleError for a value out of range.
    """
    changed: list[str] = []
    if title is not None:
        if len(title) > 500:
            raise ArticleError("A title can have at most 500 characters.")
        article.title = title.strip()
        changed.append("title")
    for name, value in (("is_archived", is_archived), ("is_favorite", is_favorite)):
        if value is not None:
            setattr(article, name, bool(value))
            changed.append(name)
    if is_read is not None:
        if not is_read:
            article.read_at = None
        elif article.read_at is None:
            article.read_at = timezone.now()
        changed.append("read_at")
    if progress_percent is not None:
        if not 0 <= progress_percent <= 100:
            raise ArticleError("Reading progress is a percentage from 0 to 100.")
        article.progress_percent = float(progress_percent)
        changed.append("progress_percent")
    if progress_paragraph is not None:
        if progress_paragraph < 0:
            raise ArticleError("The paragraph index cannot be negative.")
        article.progress_paragraph = progress_paragraph
        changed.append("progress_paragraph")
    if progress_percent is not None or progress_paragraph is not None:
        article.progress_updated_at = timezone.now()
        changed.append("progress_updated_at")
    if changed:
        article.save(update_fields=[*changed, "updated_at"])
    if tags is not None:
        article_tags_set(article=article, names=tags, replace=True)
    return article


def article_delete(*, article: Article) -> None:
    """Delete ``article`` (soft: ``deleted_at`` is set, so an undo can bring it back; saving the same
    address again also restores it)."""
    Article.objects.filter(pk=article.pk).update(deleted_at=timezone.now(), updated_at=timezone.now())
    article.deleted_at = timezone.now()


class TagConflictError(ArticleError):
    """The tag change clashes with the person's other tags (a name in use, a merge into itself)."""


def _clean_tag_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise ArticleError("A tag needs a name.")
    if len(name) > MAX_TAG_LENGTH:
        raise ArticleError(f"A tag name can have at most {MAX_TAG_LENGTH} characters.")
    return name


def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Rename ``tag``. Raises ArticleError when the name is empty, too long, or already used by another of
    the person's tags (case-insensitively; merge the two tags instead)."""
    name = _clean_tag_name(name)
    clash = Tag.objects.filter(user_id=tag.user_id, name__iexact=name).exclude(pk=tag.pk).first()
    if clash is not None:
        raise TagConflictError(f"You already have a tag named “{clash.name}”; merge the two tags instead.")
    tag.name = name
    tag.save(update_fields=["name"])
    return tag


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag) -> Tag:
    """Move every article of ``source`` to ``target`` and delete ``source``. Both must belong to the same
    person (ArticleError otherwise, or when they are the same tag). Returns ``target``.

    Two statements whatever the number of articles: one INSERT of the missing links, one DELETE.
    """
    if source.user_id != target.user_id:
        raise ArticleError("Tags can only be merged with your own tags.")
    if source.pk == target.pk:
        raise TagConflictError("A tag cannot be merged into itself.")
    links = Article.tags.through
    already = links.objects.filter(tag_id=target.pk).values_list("article_id", flat=True)
    moving = links.objects.filter(tag_id=source.pk).exclude(article_id__in=already)
    links.objects.bulk_create(
        [
            links(article_id=article_id, tag_id=target.pk)
            for article_id in moving.values_list("article_id", flat=True)
        ]
    )
    source.delete()
    return target


def tag_delete(*, tag: Tag) -> None:
    """Delete ``tag``; its articles stay, without that tag."""
    tag.delete()


def reader_settings_get(*, user: AbstractBaseUser) -> ReaderSettings:
    """The person's ReaderSettings row, created with the defaults on first use."""
    settings_row, _created = ReaderSettings.objects.get_or_create(user=user)
    return settings_row


def reader_settings_set_send_page_html(*, user: AbstractBaseUser, enabled: bool) -> ReaderSettings:
    """Turn the bookmarklet's sending of the page HTML (the DOM as the browser shows it) on or off."""
    settings_row = reader_settings_get(user=user)
    settings_row.send_page_html = bool(enabled)
    settings_row.save(update_fields=["send_page_html"])
    return settings_row
