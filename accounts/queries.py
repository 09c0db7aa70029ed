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


def people_list():
    """Every account, for the administrators' page: each with ``article_count`` (articles not deleted)
    and ``image_bytes`` (bytes of their stored images; a file shared by two people counts for both),
    by user name. Two subqueries, so that the counts do not multiply each other."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    from articles.models import Article, ArticleImage

    articles = (
        Article.objects.filter(user=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("id"))
        .values("n")
    )
    images = (
        ArticleImage.objects.filter(user=OuterRef("pk"), status=ArticleImage.Status.STORED)
        .order_by()
        .values("user")
        .annotate(n=Sum("byte_size"))
        .values("n")
    )
    return (
        get_user_model()
        .objects.annotate(
            article_count=Coalesce(Subquery(articles, output_field=IntegerField()), 0),
            image_bytes=Coalesce(Subquery(images, output_field=IntegerField()), 0),
        )
        .order_by("username")
    )


def invitation_list():
    """Invitations not used yet (usable, expired or revoked), newest first, for the administrators."""
    from .models import Invitation

    return (
        Invitation.objects.filter(used_at__isnull=True).select_related("created_by").order_by("-created_at")
    )
