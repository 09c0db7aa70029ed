"""Secrets that open read-only app faces: the feed token (Atom feeds, in the URL) and app passwords (HTTP
Basic for the OPDS catalog and feeds). Both are looked up by their SHA-256 digest; written only by
``articles.services.apps``."""

from django.conf import settings
from django.db import models


class FeedToken(models.Model):
    """A person's secret feed token: part of every feed URL, rotated or revoked on the settings page.

    The key is kept (feed URLs are shown on the settings page and in each page's feed link, as feed
    readers need the whole URL) and matched through its digest.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    key = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Feed token of {self.user}"


class AppPassword(models.Model):
    """A per-app password for the OPDS catalog and feeds (HTTP Basic with the username); only its digest is
    stored, the password is shown once. It opens nothing else (not the pages, nor either API)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_passwords")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
