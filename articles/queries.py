"""Reads that take parameters: the user's library pages and single articles, always scoped by user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import Article

#: Columns a list page needs; article bodies and raw pages are never loaded for lists.
LIST_FIELDS = (
    "id", "user_id", "url", "final_url", "title", "site_name", "excerpt", "reading_time_minutes", "status",
    "failure_reason", "saved_at", "is_archived", "is_favorite", "read_at", "lead_image", "word_count",
)


def article_list(*, user: AbstractBaseUser) -> QuerySet[Article]:
    """The user's articles, newest save first, without bodies."""
    return (
        Article.objects.filter(user=user, deleted_at__isnull=True)
        .only(*LIST_FIELDS)
        .prefetch_related("tags")
        .order_by("-saved_at", "-id")
    )


def article_get(*, user: AbstractBaseUser, pk: int) -> Article:
    """One of the user's articles; raises Article.DoesNotExist for anyone else's."""
    return Article.objects.filter(user=user, deleted_at__isnull=True).prefetch_related("tags").get(pk=pk)


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


def tag_list(*, user: AbstractBaseUser) -> QuerySet:
    """The user's tags by name, each annotated with ``article_count`` (articles not deleted)."""
    from django.db.models import Count, Q

    from .models import Tag

    return Tag.objects.filter(user=user).annotate(
        article_count=Count("articles", filter=Q(articles__deleted_at__isnull=True))
    ).order_by("name", "id")
