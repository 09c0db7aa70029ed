"""Webhooks: a person's endpoints, the messages sent to them and their delivery.

Messages follow the Standard Webhooks specification (https://www.standardwebhooks.com/, spec/
standard-webhooks.md): a JSON body ``{"type", "timestamp", "data"}``, signed with the endpoint's
``whsec_`` secret by the reference implementation (the ``standardwebhooks`` package: HMAC-SHA256 of
``{webhook-id}.{webhook-timestamp}.{body}``), in the ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` headers. The ``webhook-id`` is the same on every retry of a message; the timestamp
is the attempt's.

Delivery goes through the one fetch client (``articles.fetching.post``: SSRF guard, no redirects,
deadline, byte cap on the answer): an endpoint on a private address is refused unless
FETCH_ALLOWED_NETWORKS allows it. A 2xx answer delivers; any other answer or a network error is retried
with exponential backoff (the task) up to FOLIO_WEBHOOK_MAX_ATTEMPTS attempts; a refused address, a
redirect or a bad certificate fails at once. After FOLIO_WEBHOOK_DISABLE_AFTER failed attempts in a row
the endpoint is disabled with the reason, until the person enables it again.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from articles import fetching
from articles.compiled import CompiledQuery
from articles.models import Article, Highlight
from articles.services import enqueue
from articles.services.events import EVENTS, batch_memo
from articles.urlnorm import validate_url

from ..models import WebhookDelivery, WebhookEndpoint

WEBHOOK_DELIVER_TASK = "automation.tasks.webhook_deliver_task"
#: The event of "send test event" (sent whatever events the endpoint chose).
TEST_EVENT = "webhook.test"
#: Characters of a receiver's answer kept in the log.
ANSWER_LOG_CHARS = 500


class WebhookError(ValueError):
    """An endpoint that cannot be stored; ``message`` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def new_secret() -> str:
    """A new signing secret: ``whsec_`` and the base64 of 24 random bytes (Standard Webhooks: 24 to 64
    bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _clean_url(url: str) -> str:
    from articles.errors import ArticleError

    try:
        return validate_url(str(url).strip())
    except ArticleError as exc:
        raise WebhookError(exc.message) from exc


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(e) for e in events))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown:
        raise WebhookError(_("Unknown event: %(name)s.") % {"name": unknown[0]})
    if not chosen:
        raise WebhookError(_("Choose at least one event."))
    return [e for e in EVENTS if e in chosen]


def webhook_create(
    *, user: AbstractBaseUser, url: str, events: Iterable[str], description: str = ""
) -> WebhookEndpoint:
    """A new enabled endpoint for ``user`` with a new secret (``endpoint.secret``; faces show it once).
    Raises WebhookError for an address that is not http(s) or an unknown or empty list of events."""
    return WebhookEndpoint.objects.create(
        user=user,
        url=_clean_url(url),
        events=_clean_events(events),
        description=" ".join(str(description).split())[:200],
        secret=new_secret(),
    )


def _owned(user: AbstractBaseUser, pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(user=user, pk=pk).first()
    if endpoint is None:
        raise WebhookEndpoint.DoesNotExist()
    return endpoint


def webhook_update(
    *,
    user: AbstractBaseUser,
    pk: int,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change the given settings of the person's endpoint ``pk`` (None: unchanged). Enabling clears the
    failure count and the reason it was disabled. Raises WebhookEndpoint.DoesNotExist, WebhookError."""
    endpoint = _owned(user, pk)
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = " ".join(str(description).split())[:200]
    if enabled is not None:
        endpoint.enabled = bool(enabled)
        if enabled:
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = ""
    endpoint.save()
    return endpoint


def webhook_delete(*, user: AbstractBaseUser, pk: int) -> None:
    """Delete the person's endpoint ``pk`` and its log. Raises WebhookEndpoint.DoesNotExist."""
    _owned(user, pk).delete()


def webhook_rotate_secret(*, user: AbstractBaseUser, pk: int) -> WebhookEndpoint:
    """Give the person's endpoint ``pk`` a new secret (the old one stops working at once)."""
    endpoint = _owned(user, pk)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


def article_data(article: Article) -> dict[str, object]:
    """The public fields of an article in a webhook's ``data`` (the API's names)."""

    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": article.pk,
        "url": article.url,
        "final_url": article.final_url or None,
        "title": article.title,
        "site_name": article.site_name,
        "author": article.author,
        "language": article.language,
        "excerpt": article.excerpt,
        "status": article.status,
        "failure_reason": article.failure_reason,
        "origin": article.origin,
        "is_read": article.read_at is not None,
        "is_archived": article.is_archived,
        "is_favorite": article.is_favorite,
        "reading_time_minutes": article.reading_time_minutes,
        "word_count": article.word_count,
        "saved_at": iso(article.saved_at),
        "published": iso(article.published),
        "tags": sorted(t.name for t in article.tags.all()),
    }


def _payload(event: str, data: dict[str, object]) -> str:
    body = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _queue(endpoint: WebhookEndpoint, event: str, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id=f"msg_{uuid.uuid4().hex}", event=event, body=body
    )
    keep = settings.FOLIO_WEBHOOK_LOG_KEEP
    old = list(endpoint.deliveries.order_by("-id").values_list("id", flat=True)[keep:])
    if old:
        WebhookDelivery.objects.filter(id__in=old).delete()
    delivery_id = delivery.pk
    transaction.on_commit(lambda: _send(delivery_id))
    return delivery


#: ``error`` of a pending delivery whose task could not be sent (the broker was down): the sweep sends it.
UNSENT = "Waiting for Folio's queue, which was unavailable; it will be sent shortly."


def _send(delivery_id: int) -> bool:
    if enqueue.task_send(WEBHOOK_DELIVER_TASK, [delivery_id]):
        return True
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(error=UNSENT)
    return False


def webhook_requeue_unsent() -> int:
    """Send again the deliveries whose task could not be sent when they were made (the broker was down;
    marked UNSENT); the periodic sweep calls it. Returns how many were sent."""
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, error=UNSENT).values_list(
            "id", flat=True
        )[:1000]
    )
    sent = 0
    for delivery_id in ids:
        WebhookDelivery.objects.filter(pk=delivery_id).update(error="")
        sent += _send(delivery_id)
    return sent


#: A person's enabled endpoints, read after every save: compiled once per process (issue 20).
_ENABLED_ENDPOINTS = CompiledQuery(
    lambda user_id: WebhookEndpoint.objects.filter(user_id=user_id, enabled=True), int
)


def webhooks_dispatch(
    *, event: str, user_id: int, article_id: int, highlight_id: int | None = None
) -> list[WebhookDelivery]:
    """Queue ``event`` for every enabled endpoint of ``user_id`` that chose it (the events receiver).
    ``data`` is the article's public fields now (article_data), with ``highlight`` for a highlight event.
    Returns the deliveries queued (none when the article is gone). The person's enabled endpoints are read
    once per bulk emission (events.batch_memo)."""
    enabled = batch_memo(("automation.webhooks", user_id), lambda: _ENABLED_ENDPOINTS.fetch(user_id))
    endpoints = [e for e in enabled if event in e.events]
    if not endpoints:
        return []
    article = Article.objects.filter(pk=article_id, user_id=user_id).prefetch_related("tags").first()
    if article is None:
        return []
    data = article_data(article)
    if highlight_id is not None:
        highlight = Highlight.objects.filter(pk=highlight_id, article=article).first()
        if highlight is not None:
            data["highlight"] = {
                "id": highlight.pk,
                "quote": highlight.quote,
                "note": highlight.note,
                "color": highlight.color,
                "created_at": highlight.created_at.isoformat(),
            }
    body = _payload(event, data)
    with transaction.atomic():
        return [_queue(endpoint, event, body) for endpoint in endpoints]


def webhook_send_test(*, user: AbstractBaseUser, pk: int) -> WebhookDelivery:
    """Queue a ``webhook.test`` message to the person's endpoint ``pk`` (enabled or not; the log shows the
    outcome). Raises WebhookEndpoint.DoesNotExist."""
    endpoint = _owned(user, pk)
    body = _payload(TEST_EVENT, {"message": "Test event from Folio", "endpoint_id": endpoint.pk})
    with transaction.atomic():
        return _queue(endpoint, TEST_EVENT, body)


@dataclass
class Attempt:
    """The outcome of one delivery attempt: ``retry`` (the task tries again after a backoff of at least
    ``retry_after`` seconds when given)."""

    delivery: WebhookDelivery | None
    retry: bool = False
    retry_after: float | None = None


def signed_headers(secret: str, message_id: str, body: str, now: dt.datetime | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed by the reference implementation."""
    when = now or dt.datetime.now(dt.UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, when, body),
    }


def _failed_attempt(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.consecutive_failures += 1
    fields = ["consecutive_failures"]
    limit = settings.FOLIO_WEBHOOK_DISABLE_AFTER
    if endpoint.enabled and limit and endpoint.consecutive_failures >= limit:
        endpoint.enabled = False
        endpoint.disabled_reason = _(
            "Disabled after %(n)d failed attempts in a row. The last one: %(reason)s"
        ) % {"n": endpoint.consecutive_failures, "reason": reason}
        fields += ["enabled", "disabled_reason"]
    endpoint.save(update_fields=fields)


def webhook_attempt(*, delivery_id: int) -> Attempt:
    """Make one attempt at delivering ``delivery_id`` (the task's body) and log it on the delivery.

    A 2xx answer: ``delivered`` (the endpoint's failure count back to 0). Another answer or a network
    error: ``retrying`` (``Attempt.retry``) while attempts are under FOLIO_WEBHOOK_MAX_ATTEMPTS, else
    ``failed``. A refused address (FETCH_ALLOWED_NETWORKS), a bad certificate or host name: ``failed`` at
    once. A disabled endpoint's pending message fails without being sent (a test message is still sent).
    Every failed attempt counts towards FOLIO_WEBHOOK_DISABLE_AFTER. Returns the outcome (``delivery``
    None for an unknown or finished delivery).
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).select_related("endpoint").first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.DELIVERED,
        WebhookDelivery.Status.FAILED,
    ):
        return Attempt(None)
    endpoint = delivery.endpoint
    if not endpoint.enabled and delivery.event != TEST_EVENT:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.error = _("Not sent: the endpoint is disabled.")
        delivery.save(update_fields=["status", "error"])
        return Attempt(delivery)
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    retry, retry_after, reason = False, None, ""
    try:
        answer = fetching.post(
            endpoint.url,
            body=delivery.body.encode(),
            headers=signed_headers(endpoint.secret, delivery.message_id, delivery.body),
            total_timeout=settings.FOLIO_WEBHOOK_TIMEOUT,
        )
    except fetching.FetchTemporaryError as exc:
        delivery.response_code = getattr(exc, "status", None)
        reason, retry, retry_after = exc.reason, True, exc.retry_after
    except fetching.FetchError as exc:  # refused address, bad certificate: trying again will not help
        delivery.response_code = None
        reason = exc.reason
    else:
        delivery.response_code = answer.status
        if 200 <= answer.status < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.error = ""
            delivery.save()
            if endpoint.consecutive_failures:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return Attempt(delivery)
        reason = _("The endpoint answered %(code)d.") % {"code": answer.status}
        if answer.text.strip():
            reason += " " + answer.text.strip()[:ANSWER_LOG_CHARS]
        retry = not 300 <= answer.status < 400  # a redirect is not followed: fix the address instead
    retry = retry and delivery.attempts < settings.FOLIO_WEBHOOK_MAX_ATTEMPTS
    delivery.status = WebhookDelivery.Status.RETRYING if retry else WebhookDelivery.Status.FAILED
    delivery.error = reason
    delivery.save()
    _failed_attempt(endpoint, reason)
    if retry and not endpoint.enabled and delivery.event != TEST_EVENT:
        retry = False
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.save(update_fields=["status"])
    return Attempt(delivery, retry=retry, retry_after=retry_after)
