"""Read side of the accounts app: resolving a share token, the owner's list of links."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from articles.tokens import token_digest

from .models import ShareLink


def share_resolve(token: str) -> ShareLink | None:
    """The active link for ``token`` (its article and owner loaded), or None when there is none, it was
    revoked or has expired, its article is deleted or not ready, or its owner is deactivated. The token is
    found by the SHA-256 digest's unique index, never compared as text."""
    if not token or len(token) > 100:
        return None
    return (
        ShareLink.objects.select_related("article", "user")
        .filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
            digest=token_digest(token),
            revoked_at__isnull=True,
            article__deleted_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )


def share_list(*, user: AbstractBaseUser) -> QuerySet[ShareLink]:
    """``user``'s links, newest first, with their article's title (active and revoked)."""
    return (
        ShareLink.objects.filter(user=user)
        .select_related("article")
        .only(
            "id",
            "article__id",
            "article__title",
            "article__url",
            "created_at",
            "expires_at",
            "revoked_at",
            "include_highlights",
            "last_viewed_at",
        )
        .order_by("-created_at", "-id")
    )
