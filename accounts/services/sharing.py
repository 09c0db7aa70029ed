"""Public share links (issue 16 item 5): create one for an article, revoke one, revoke all.

A link's token is ``secrets.token_urlsafe(32)`` (256 bits), shown once in the URL and stored only as its
SHA-256 digest; ``accounts.queries.share_resolve`` finds a link by that digest. Every function is scoped
by ``user``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext

from articles.errors import ArticleError, NotFoundError
from articles.models import Article
from articles.tokens import token_digest

from ..models import ShareLink

#: Longest expiry a link may be given, in days (a link may also never expire).
MAX_EXPIRY_DAYS = 3650


def share_create(
    *,
    user: AbstractBaseUser,
    article_id: int,
    expires_in_days: int | None = None,
    include_highlights: bool = False,
) -> tuple[ShareLink, str]:
    """Create a link showing ``user``'s article ``article_id`` to anyone who has it, for
    ``expires_in_days`` days (None: until revoked), with the article's highlights if
    ``include_highlights``. Returns ``(link, token)``; the token (the last part of ``/s/<token>/``) is not
    stored and cannot be shown again.

    Raises NotFoundError when the article is not one of ``user``'s (or is deleted), ArticleError for an
    expiry outside 1..MAX_EXPIRY_DAYS.
    """
    if not Article.objects.filter(user=user, pk=article_id, deleted_at__isnull=True).exists():
        raise NotFoundError(gettext("No such article."))
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= int(expires_in_days) <= MAX_EXPIRY_DAYS:
            raise ArticleError(
                gettext("A link expires after 1 to %(max)d days, or never.") % {"max": MAX_EXPIRY_DAYS}
            )
        expires_at = timezone.now() + timedelta(days=int(expires_in_days))
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        user=user,
        article_id=article_id,
        digest=token_digest(token),
        include_highlights=bool(include_highlights),
        expires_at=expires_at,
    )
    return link, token


def share_revoke(*, user: AbstractBaseUser, share_id: int) -> bool:
    """Revoke ``user``'s link ``share_id`` at once. False if there is no such active link of theirs."""
    return bool(
        ShareLink.objects.filter(user=user, pk=share_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def share_revoke_all(*, user: AbstractBaseUser) -> int:
    """Revoke every link ``user`` has. Returns how many were still active."""
    return ShareLink.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def share_viewed(*, link: ShareLink) -> None:
    """Note that ``link`` was opened (at most one write a minute per link)."""
    now = timezone.now()
    if link.last_viewed_at is None or now - link.last_viewed_at > timedelta(minutes=1):
        ShareLink.objects.filter(pk=link.pk).update(last_viewed_at=now)
