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
