"""Webhooks (automation.services.webhooks) against a local receiver that verifies every signature with
``standardwebhooks.Webhook(secret).verify``: delivery, retries, the SSRF guard, auto-disable, the log."""

import pytest

from articles import services
from automation.models import WebhookDelivery, WebhookEndpoint
from automation.services import webhooks
from reader.envparse import parse_networks
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(user, receiver):
    endpoint = webhooks.webhook_create(
        user=user, url=receiver.url, events=["article.archived", "highlight.created"], description="test"
    )
    receiver.secret = endpoint.secret
    return endpoint


def archive(user, article, capture):
    with capture(execute=True):
        services.article_update(user=user, pk=article.pk, is_archived=True)
    return WebhookDelivery.objects.get()


def test_secret_and_events_are_checked(user):
    endpoint = webhooks.webhook_create(user=user, url="https://hooks.example.com/x", events=["article.ready"])
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) == 6 + 32
    with pytest.raises(webhooks.WebhookError, match="Unknown event"):
        webhooks.webhook_create(user=user, url="https://hooks.example.com/x", events=["article.eaten"])
    with pytest.raises(webhooks.WebhookError, match="at least one event"):
        webhooks.webhook_create(user=user, url="https://hooks.example.com/x", events=[])
    with pytest.raises(webhooks.WebhookError):
        webhooks.webhook_create(user=user, url="ftp://hooks.example.com/x", events=["article.ready"])


def test_an_event_is_delivered_signed_with_the_articles_public_fields(
    user, endpoint, receiver, django_capture_on_commit_callbacks
):
    article = ArticleFactory(user=user, ready=True, title="Signed", tags=["t1"])
    delivery = archive(user, article, django_capture_on_commit_callbacks)
    assert delivery.event == "article.archived" and delivery.status == "pending"
    outcome = webhooks.webhook_attempt(delivery_id=delivery.pk)
    assert not outcome.retry
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)
    [got] = receiver.received
    assert got.error == "" and got.headers["webhook-id"] == delivery.message_id
    payload = got.verified
    assert payload["type"] == "article.archived" and payload["timestamp"]
    data = payload["data"]
    assert data["id"] == article.pk and data["title"] == "Signed" and data["is_archived"] is True
    assert data["tags"] == ["t1"] and "content_html" not in data and "user" not in data


def test_events_not_chosen_and_disabled_endpoints_get_nothing(
    user, endpoint, django_capture_on_commit_callbacks
):
    article = ArticleFactory(user=user, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(user=user, pk=article.pk, is_favorite=True)  # not chosen
    assert not WebhookDelivery.objects.exists()
    webhooks.webhook_update(user=user, pk=endpoint.pk, enabled=False)
    archive_ok = ArticleFactory(user=user, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(user=user, pk=archive_ok.pk, is_archived=True)
    assert not WebhookDelivery.objects.exists()


def test_retries_after_500_twice_then_delivered(user, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.script = [500, 500]
    delivery = archive(user, ArticleFactory(user=user, ready=True), django_capture_on_commit_callbacks)
    first = webhooks.webhook_attempt(delivery_id=delivery.pk)
    second = webhooks.webhook_attempt(delivery_id=delivery.pk)
    assert first.retry and second.retry
    assert first.delivery.status == "retrying" and first.delivery.response_code == 500
    assert "answered 500" in second.delivery.error
    assert WebhookEndpoint.objects.get().consecutive_failures == 2
    third = webhooks.webhook_attempt(delivery_id=delivery.pk)
    assert not third.retry and third.delivery.status == "delivered" and third.delivery.attempts == 3
    assert len(receiver.received) == 3 and all(r.error == "" for r in receiver.received)
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.message_id}
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


def test_a_private_address_is_refused_unless_allowed(
    user, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FETCH_ALLOWED_NETWORKS = []
    delivery = archive(user, ArticleFactory(user=user, ready=True), django_capture_on_commit_callbacks)
    outcome = webhooks.webhook_attempt(delivery_id=delivery.pk)
    assert not outcome.retry and outcome.delivery.status == "failed"
    assert "private, local or reserved" in outcome.delivery.error and outcome.delivery.response_code is None
    assert receiver.received == []
    settings.FETCH_ALLOWED_NETWORKS = parse_networks("127.0.0.2/32")
    test = webhooks.webhook_send_test(user=user, pk=endpoint.pk)
    assert webhooks.webhook_attempt(delivery_id=test.pk).delivery.status == "delivered"
    assert receiver.received[0].verified["type"] == "webhook.test"


def test_a_redirect_is_not_followed(user, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.script = [302]
    delivery = archive(user, ArticleFactory(user=user, ready=True), django_capture_on_commit_callbacks)
    outcome = webhooks.webhook_attempt(delivery_id=delivery.pk)
    assert not outcome.retry and outcome.delivery.status == "failed" and outcome.delivery.response_code == 302


def test_attempts_stop_at_the_maximum(user, endpoint, receiver, settings, django_capture_on_commit_callbacks):
    settings.FOLIO_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.script = [503, 503, 503]
    delivery = archive(user, ArticleFactory(user=user, ready=True), django_capture_on_commit_callbacks)
    assert webhooks.webhook_attempt(delivery_id=delivery.pk).retry
    last = webhooks.webhook_attempt(delivery_id=delivery.pk)
    assert not last.retry and last.delivery.status == "failed" and last.delivery.attempts == 2
    assert webhooks.webhook_attempt(delivery_id=delivery.pk).delivery is None  # finished: not sent again
    assert len(receiver.received) == 2


def test_repeated_failures_disable_the_endpoint_and_enabling_resets(
    user, endpoint, receiver, settings, client_logged_in
):
    settings.FOLIO_WEBHOOK_DISABLE_AFTER = 10
    receiver.script = [500] * 20
    for _ in range(10):
        webhooks.webhook_attempt(delivery_id=webhooks.webhook_send_test(user=user, pk=endpoint.pk).pk)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.consecutive_failures == 10
    assert (
        "10 failed attempts in a row" in endpoint.disabled_reason
        and "answered 500" in endpoint.disabled_reason
    )
    page = client_logged_in.get(f"/automation/webhooks/{endpoint.pk}/").content.decode()
    assert "10 failed attempts in a row" in page and "Enable again" in page
    client_logged_in.post(f"/automation/webhooks/{endpoint.pk}/enable/")
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 0 and endpoint.disabled_reason == ""


def test_the_log_keeps_the_last_n(user, endpoint, settings):
    settings.FOLIO_WEBHOOK_LOG_KEEP = 3
    sent = [webhooks.webhook_send_test(user=user, pk=endpoint.pk).pk for _ in range(5)]
    assert sorted(WebhookDelivery.objects.values_list("pk", flat=True)) == sent[-3:]


def test_highlight_event_carries_the_highlight(user, endpoint, receiver, django_capture_on_commit_callbacks):
    article = ArticleFactory(user=user, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        highlight = services.highlight_create(user=user, article_id=article.pk, quote="The text", note="n")
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_attempt(delivery_id=delivery.pk)
    data = receiver.received[0].verified["data"]
    assert data["highlight"]["id"] == highlight.pk and data["highlight"]["quote"] == "The text"
