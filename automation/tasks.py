"""Celery tasks of the automation app: policy only (retries, backoff, time limits); each body is one
service call. Sent by name (automation.services.*: RULE_RUN_TASK, WEBHOOK_DELIVER_TASK)."""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from .services import rules, webhooks

#: The longest wait between two attempts of a webhook, in seconds.
WEBHOOK_MAX_WAIT = 6 * 3600.0


def webhook_countdown(retries: int, retry_after: float | None = None) -> float:
    """Seconds before attempt ``retries + 2`` of a webhook: exponential backoff with full jitter, base
    FOLIO_WEBHOOK_BACKOFF * 2^retries (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015), at
    least the receiver's Retry-After, at most WEBHOOK_MAX_WAIT."""
    base = settings.FOLIO_WEBHOOK_BACKOFF * (2**retries)
    return min(max(random.uniform(base / 2, base), retry_after or 0.0), WEBHOOK_MAX_WAIT)


@shared_task(
    name=webhooks.WEBHOOK_DELIVER_TASK, bind=True, max_retries=None, ignore_result=True, acks_late=True
)
def webhook_deliver_task(self, delivery_id: int) -> None:
    """One attempt at a webhook delivery (services.webhooks.webhook_attempt); retried with backoff while
    the service says so (it stops at FOLIO_WEBHOOK_MAX_ATTEMPTS)."""
    outcome = webhooks.webhook_attempt(delivery_id=delivery_id)
    if outcome.retry:
        raise self.retry(countdown=webhook_countdown(self.request.retries, outcome.retry_after))


@shared_task(
    name=rules.RULE_RUN_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def rule_run_task(run_id: int) -> None:
    """Apply rules to a whole library (services.rules.rule_run_execute), on FOLIO_IMPORT_QUEUE behind
    people's saves; the soft time limit ends the run ``failed`` with a reason."""
    try:
        rules.rule_run_execute(run_id=run_id)
    except SoftTimeLimitExceeded:
        rules.rule_run_fail(run_id=run_id, reason=_("Applying the rules took too long and was stopped."))


@shared_task(name="automation.tasks.automation_requeue_unsent_task", ignore_result=True)
def automation_requeue_unsent_task() -> int:
    """Periodic sweep (every FOLIO_REQUEUE_INTERVAL): send the webhook deliveries and library runs whose
    task could not be sent when they were made (the broker was down)."""
    return webhooks.webhook_requeue_unsent() + rules.rule_run_requeue_unsent()
