"""Reads of the feeds app, always scoped to one person."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from articles.models import Article

from .models import Feed


def feed_list(*, user: AbstractBaseUser) -> QuerySet[Feed]:
    """The user's feeds by title, each with ``saved_count``: the live articles the feed brought, saved or
    found already in the library, so the list counts what the feed's page lists (``feed_articles``)."""
    return Feed.objects.filter(user=user).annotate(
        saved_count=Count(
            "entries__article",
            filter=Q(entries__article__isnull=False, entries__article__deleted_at__isnull=True),
            distinct=True,
        )
    )


def feed_articles(*, feed: Feed) -> QuerySet[Article]:
    """The live articles ``feed`` brought (saved or found already in the library), newest save first."""
    return (
        Article.objects.filter(user_id=feed.user_id, deleted_at__isnull=True, feed_entries__feed=feed)
        .defer("content_html", "content_text", "extraction_log")
        .order_by("-saved_at", "-id")
        .distinct()
    )


def feed_entry_counts(*, feed: Feed) -> dict[str, int]:
    """How many of the feed's entries had each FeedEntry status."""
    return dict(feed.entries.values_list("status").annotate(n=Count("id")).order_by())
