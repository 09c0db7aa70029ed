"""Tagging rules, their runs over a library, webhook endpoints and their delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """A person's tagging rule: ``conditions`` (a JSON object, see automation.conditions.CONDITIONS) that
    must all (``match="all"``) or any (``"any"``) hold, and the actions applied to the matching articles.
    Rules run in ``position`` order; ``stop`` ends the run for an article this rule matched."""

    class Match(models.TextChoices):
        ALL = "all", _("All conditions")
        ANY = "any", _("Any condition")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(default=dict)
    add_tags = models.JSONField(default=list)
    archive = models.BooleanField(default=False)
    favorite = models.BooleanField(default=False)
    mark_read = models.BooleanField(default=False)
    stop = models.BooleanField(default=False)
    #: Articles this rule matched, on arrival and in library runs (a run over the library counts again).
    match_count = models.PositiveIntegerField(default=0)
    last_matched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=["user", "position"])]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """Rules applied to a person's whole library in the background: ``done`` of ``total`` articles,
    ``matched`` of them matched at least one rule. ``rule`` None: every enabled rule."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rule_runs")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    #: The last article done (runs read the library by id), so a redelivered run goes on from there.
    last_article_id = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"run {self.pk}: {self.done}/{self.total}"


class WebhookEndpoint(models.Model):
    """Where a person's events are POSTed, signed per Standard Webhooks with ``secret`` (``whsec_`` and
    base64 of 24 random bytes; shown once). Disabled automatically after FOLIO_WEBHOOK_DISABLE_AFTER
    consecutive failed attempts, with ``disabled_reason``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2048)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One message to one endpoint, its attempts and their outcome (the last FOLIO_WEBHOOK_LOG_KEEP per
    endpoint are kept). ``message_id`` is the ``webhook-id`` header, the same on every retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Will retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=64, unique=True)
    event = models.CharField(max_length=40)
    #: The JSON body exactly as sent (and signed), the same bytes on every attempt.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        indexes = [models.Index(fields=["endpoint", "-id"])]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"
