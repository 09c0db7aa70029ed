"""A person's feed subscriptions and the entries already taken from each feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.limits import URL_MAX_LENGTH


class Feed(models.Model):
    """One subscription of one person to one feed address.

    ``interval`` is in minutes. ``next_poll_at`` is when beat next queues a poll (paused feeds are never
    due). ``failures`` counts consecutive failed polls (the backoff doubles with each); ``last_error`` is
    the last failure's reason shown to the person, ``last_success_at`` the time of the last poll that read
    the feed (304 included). ``etag`` / ``last_modified`` are the validators for the next conditional GET.
    """

    class Kind(models.TextChoices):
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        JSON = "json", "JSON Feed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(_("feed address"), max_length=URL_MAX_LENGTH)
    site_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, blank=True)
    tags = models.JSONField(default=list, blank=True)
    interval = models.PositiveIntegerField(_("minutes between polls"), default=60)
    archive_on_arrival = models.BooleanField(_("archive new articles"), default=False)
    match_query = models.CharField(_("keep only entries matching"), max_length=1000, blank=True)
    is_paused = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "url"], name="feed_unique_per_user")]
        indexes = [models.Index(fields=["is_paused", "next_poll_at"], name="feed_due_idx")]

    def __str__(self) -> str:
        return self.title or self.url


class FeedEntry(models.Model):
    """An entry of a feed already handled (``status``: saved, already in the library, left out by the
    feed's query, passed over because a poll found more than FOLIO_FEED_MAX_NEW_ENTRIES, or unusable):
    ``key`` is the SHA-256 (hex) of its id (guid) or else its link, so that it is never saved twice. ``article`` is the
    article it became (null when it was left out, or when the article was deleted for good)."""

    class Status(models.TextChoices):
        SAVED = "saved", _("Saved")
        DUPLICATE = "duplicate", _("Already in the library")
        FILTERED = "filtered", _("Did not match the feed's query")
        OVER_CAP = "over_cap", _("Passed over: too many new entries at once")
        INVALID = "invalid", _("No usable address")

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SAVED)
    key = models.CharField(max_length=64)
    link = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="feed_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="feed_entry_unique_key")]

    def __str__(self) -> str:
        return f"{self.feed_id}:{self.key[:12]} {self.status}"
