"""Reads of the automation app, every one scoped by the requesting person."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import Rule, RuleRun, WebhookDelivery, WebhookEndpoint


def rules_of(user: AbstractBaseUser) -> QuerySet[Rule]:
    """The person's rules in the order they run (position, then id)."""
    return Rule.objects.filter(user=user).order_by("position", "id")


def rule_get(*, user: AbstractBaseUser, pk: int) -> Rule | None:
    """The person's rule ``pk``, or None (someone else's rule is None too)."""
    return Rule.objects.filter(user=user, pk=pk).first()


def rule_run_get(*, user: AbstractBaseUser, pk: int) -> RuleRun | None:
    """The person's library run ``pk``, or None."""
    return RuleRun.objects.filter(user=user, pk=pk).select_related("rule").first()


def rule_runs_recent(user: AbstractBaseUser, limit: int = 5) -> list[RuleRun]:
    """The person's latest library runs, newest first."""
    return list(RuleRun.objects.filter(user=user).select_related("rule").order_by("-id")[:limit])


def webhooks_of(user: AbstractBaseUser) -> QuerySet[WebhookEndpoint]:
    """The person's webhook endpoints, oldest first."""
    return WebhookEndpoint.objects.filter(user=user).order_by("id")


def webhook_get(*, user: AbstractBaseUser, pk: int) -> WebhookEndpoint | None:
    """The person's endpoint ``pk``, or None."""
    return WebhookEndpoint.objects.filter(user=user, pk=pk).first()


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    """The endpoint's delivery log, newest first (at most ``limit``)."""
    return list(endpoint.deliveries.order_by("-id")[:limit])
