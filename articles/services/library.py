"""Library state changes on a user's articles: tags (more actions join here)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from ..errors import ArticleError
from ..models import Article, Tag

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
