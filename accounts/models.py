"""Rows of the accounts app: public share links of one article, and invitations to create an account.

Both carry a secret that is shown once (in a URL) and stored only as its SHA-256 digest, looked up by that
digest (a 256-bit random token needs no slow hash: there is no dictionary to guess from).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ShareLink(models.Model):
    """A public, read-only link to one article: ``/s/<token>/``. Revoked links keep their row (the owner
    sees when) but never resolve."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="share_links")
    digest = models.CharField(max_length=64, unique=True)
    include_highlights = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="sharelink_user_created")]

    def __str__(self) -> str:
        return f"share of article {self.article_id}"

    @property
    def is_active(self) -> bool:
        """Not revoked and not expired (now)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class Invitation(models.Model):
    """An administrator's invitation: the link ``/account/invite/<token>/`` lets one person create an
    account, once, before ``expires_at``."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    email = models.EmailField(blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation_used",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.email or 'link'})"

    @property
    def is_usable(self) -> bool:
        """Not used, not revoked, not expired (now)."""
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
