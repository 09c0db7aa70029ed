"""The REST API of rules and webhooks: per person (another person's rule or endpoint is 404), the secret
shown once, errors in the API's one shape, and the OpenAPI schema."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from articles.services.account import api_token_create
from automation.models import Rule, WebhookDelivery, WebhookEndpoint
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

RULE = {"name": "Python", "conditions": {"title_words": "python"}, "add_tags": ["python"], "archive": True}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other_client(other_user):
    """Another person, with an API token of their own."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=other_user)[1]}")
    return client


def test_rules_crud_order_and_preview(api_client, user):
    created = api_client.post("/api/rules/", RULE, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["conditions"] == {"title_words": "python"} and body["position"] == 0 and body["match_count"] == 0
    )
    second = api_client.post("/api/rules/", {**RULE, "name": "Second", "match": "any"}, format="json").json()
    assert [r["name"] for r in api_client.get("/api/rules/").json()] == ["Python", "Second"]
    ordered = api_client.post("/api/rules/order/", {"ids": [second["id"], body["id"]]}, format="json").json()
    assert [r["name"] for r in ordered] == ["Second", "Python"]
    patched = api_client.patch(
        f"/api/rules/{body['id']}/", {"enabled": False, "add_tags": ["py"]}, format="json"
    )
    assert (
        patched.status_code == 200
        and patched.json()["enabled"] is False
        and patched.json()["add_tags"] == ["py"]
    )
    assert patched.json()["conditions"] == {"title_words": "python"}  # unchanged by a partial update
    ArticleFactory(user=user, ready=True, title="Python tricks")
    ArticleFactory(user=user, ready=True, title="Other")
    preview = api_client.post("/api/rules/preview/", {"conditions": {"title_words": "python"}}, format="json")
    assert preview.json() == {"count": 1}
    assert api_client.delete(f"/api/rules/{body['id']}/").status_code == 204
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second"]


def test_bad_rules_get_the_one_error_shape(api_client):
    response = api_client.post("/api/rules/", {**RULE, "conditions": {"origin": "pigeon"}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and "Unknown origin" in response.json()["detail"]
    response = api_client.post("/api/rules/", {**RULE, "add_tags": [], "archive": False}, format="json")
    assert response.status_code == 400 and "at least one action" in response.json()["detail"]


def test_apply_starts_a_run_and_its_progress_is_readable(api_client, user):
    rule = api_client.post("/api/rules/", RULE, format="json").json()
    ArticleFactory(user=user, ready=True)
    response = api_client.post("/api/rules/apply/", {"rule": rule["id"]}, format="json")
    assert (
        response.status_code == 202
        and response.json()["total"] == 1
        and response.json()["rule"] == rule["id"]
    )
    run = api_client.get(f"/api/rule-runs/{response.json()['id']}/")
    assert run.status_code == 200 and run.json()["status"] == "pending"


def test_rules_and_runs_are_per_person(api_client, other_client):
    rule = api_client.post("/api/rules/", RULE, format="json").json()
    run = api_client.post("/api/rules/apply/", {}, format="json").json()
    assert other_client.get("/api/rules/").json() == []
    assert other_client.get(f"/api/rules/{rule['id']}/").status_code == 404
    assert other_client.patch(f"/api/rules/{rule['id']}/", {"name": "x"}, format="json").status_code == 404
    assert other_client.delete(f"/api/rules/{rule['id']}/").status_code == 404
    assert other_client.post("/api/rules/apply/", {"rule": rule["id"]}, format="json").status_code == 400
    assert other_client.get(f"/api/rule-runs/{run['id']}/").status_code == 404
    other_client.post("/api/rules/order/", {"ids": [rule["id"]]}, format="json")
    assert Rule.objects.get().name == "Python"


def test_webhooks_secret_once_log_test_and_scope(api_client, other_client):
    created = api_client.post(
        "/api/webhooks/", {"url": "https://hooks.example.com/in", "events": ["article.ready"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["secret"] == WebhookEndpoint.objects.get().secret
    shown = api_client.get(f"/api/webhooks/{body['id']}/").json()
    assert "secret" not in shown and shown["events"] == ["article.ready"]
    assert all("secret" not in e for e in api_client.get("/api/webhooks/").json())
    test = api_client.post(f"/api/webhooks/{body['id']}/test/")
    assert test.status_code == 202 and test.json()["event"] == "webhook.test"
    log = api_client.get(f"/api/webhooks/{body['id']}/deliveries/").json()
    assert [d["event"] for d in log] == ["webhook.test"] and "body" not in log[0]
    bad = api_client.post("/api/webhooks/", {"url": "https://x.org", "events": ["nope"]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    for call in (
        lambda: other_client.get(f"/api/webhooks/{body['id']}/"),
        lambda: other_client.patch(f"/api/webhooks/{body['id']}/", {"enabled": False}, format="json"),
        lambda: other_client.get(f"/api/webhooks/{body['id']}/deliveries/"),
        lambda: other_client.post(f"/api/webhooks/{body['id']}/test/"),
        lambda: other_client.delete(f"/api/webhooks/{body['id']}/"),
    ):
        assert call().status_code == 404
    assert other_client.get("/api/webhooks/").json() == []
    assert WebhookDelivery.objects.count() == 1 and WebhookEndpoint.objects.get().enabled


def test_patch_enabled_re_enables_and_resets(api_client, user):
    endpoint = WebhookEndpoint.objects.create(
        user=user,
        url="https://x.org/h",
        events=["article.ready"],
        secret="whsec_AAAA",
        enabled=False,
        disabled_reason="Disabled after 10 failed attempts in a row.",
        consecutive_failures=10,
    )
    response = api_client.patch(f"/api/webhooks/{endpoint.pk}/", {"enabled": True}, format="json").json()
    assert (
        response["enabled"] is True
        and response["disabled_reason"] == ""
        and response["consecutive_failures"] == 0
    )


def test_the_schema_describes_rules_and_webhooks(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/rules/",
        "/api/rules/{id}/",
        "/api/rules/apply/",
        "/api/webhooks/",
        "/api/webhooks/{id}/deliveries/",
    ):
        assert path in schema["paths"], path
