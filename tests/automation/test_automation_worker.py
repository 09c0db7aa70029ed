"""Rules and webhooks with a real broker and a real Celery worker: a page from the local page server
saved through the API is processed by the worker, whose ``article.ready`` runs the rules; the library run
is a background job; a webhook receiver answers 500 twice and sees the worker's retries, then 200."""

import pytest

from articles.models import Article
from automation.models import Rule, RuleRun, WebhookDelivery
from automation.services import rules, webhooks
from automation.services.rules import RuleFields
from tests.brokers import CLOSED_BROKER, publishing_to
from tests.factories import ArticleFactory
from tests.pageserver import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_rules_run_on_arrival_in_the_worker(user, api_client, page_server, celery_worker_process):
    rules.rule_create(
        user=user,
        fields=RuleFields(
            name="Taliban", conditions={"text_words": "Taliban"}, add_tags=["world"], stop=True
        ),
    )
    rules.rule_create(
        user=user, fields=RuleFields(name="Never", conditions={"url_contains": "seed"}, add_tags=["never"])
    )
    rules.rule_create(
        user=user, fields=RuleFields(name="API", conditions={"origin": "api"}, favorite=True, match="any")
    )
    response = api_client.post(
        "/api/articles/", {"url": page_server.url("/seed/voz-russia-taliban.html")}, format="json"
    )
    pk = response.json()["id"]
    assert wait_for(lambda: Article.objects.get(pk=pk).tags.exists(), timeout=60), (
        celery_worker_process.log()[-3000:]
    )
    article = Article.objects.get(pk=pk)
    assert article.status == "ready"
    assert sorted(article.tags.values_list("name", flat=True)) == ["world"]  # "Taliban" stopped the rest
    assert dict(Rule.objects.values_list("name", "match_count")) == {"Taliban": 1, "Never": 0, "API": 0}


def test_a_library_run_in_the_worker_reports_progress(user, client_logged_in, celery_worker_process):
    for i in range(12):
        ArticleFactory(user=user, ready=True, title=f"Chess opening {i}" if i % 3 == 0 else f"Other {i}")
    rules.rule_create(
        user=user, fields=RuleFields(name="Chess", conditions={"title_words": "chess"}, add_tags=["chess"])
    )
    response = client_logged_in.post("/automation/rules/apply/")
    run = RuleRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/automation/runs/{run.pk}/"
    assert wait_for(lambda: RuleRun.objects.get().status == "done", timeout=60), celery_worker_process.log()[
        -3000:
    ]
    run.refresh_from_db()
    assert (run.total, run.done, run.matched) == (12, 12, 4)
    assert Article.objects.filter(user=user, tags__name="chess").count() == 4
    page = client_logged_in.get(f"/automation/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "12 of 12 articles checked, 4 matched." in page and "hx-trigger" not in page


def test_webhook_retries_in_the_worker_then_delivered(
    user, client_logged_in, receiver, celery_worker_process
):
    endpoint = webhooks.webhook_create(user=user, url=receiver.url, events=["highlight.created"])
    receiver.secret = endpoint.secret
    receiver.script = [500, 500]
    article = ArticleFactory(user=user, ready=True)
    response = client_logged_in.post(f"/articles/{article.pk}/highlights/", {"quote": "The text"})
    assert response.status_code in (200, 302), response.content
    assert wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists(), timeout=60), (
        list(WebhookDelivery.objects.values()),
        celery_worker_process.log()[-3000:],
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3 and delivery.response_code == 200
    assert len(receiver.received) == 3
    assert all(r.error == "" for r in receiver.received)  # every attempt verified
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.message_id}
    assert receiver.received[-1].verified["data"]["highlight"]["quote"] == "The text"


def test_a_delivery_the_broker_did_not_take_is_sent_by_the_sweep(user, receiver, celery_worker_process):
    """The broker is down when the message is made: the delivery is kept, marked; the periodic sweep sends
    it once the broker is back, and the worker delivers it."""
    endpoint = webhooks.webhook_create(user=user, url=receiver.url, events=["article.saved"])
    receiver.secret = endpoint.secret
    with publishing_to(CLOSED_BROKER):  # nothing listens on port 1
        delivery = webhooks.webhook_send_test(user=user, pk=endpoint.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.error == webhooks.UNSENT
    assert webhooks.webhook_requeue_unsent() == 1
    assert wait_for(lambda: WebhookDelivery.objects.get().status == "delivered", timeout=60), (
        celery_worker_process.log()[-3000:]
    )
    assert len(receiver.received) == 1 and receiver.received[0].error == ""
    assert webhooks.webhook_requeue_unsent() == 0
