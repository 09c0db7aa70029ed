"""The rules and webhooks pages, without JavaScript (plain forms and redirects) and with htmx (the run's
progress fragment); every page scoped by the person."""

import re

import pytest

from automation.models import Rule, RuleRun, WebhookDelivery, WebhookEndpoint
from automation.services import rules
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Python",
    "match": "all",
    "title_words": "python",
    "add_tags": "python, code",
    "archive": "on",
    "enabled": "on",
}


def test_create_preview_edit_move_and_delete_rules(client_logged_in, user):
    ArticleFactory(user=user, ready=True, title="Python tips")
    ArticleFactory(user=user, ready=True, title="Gardening")
    preview = client_logged_in.post("/automation/rules/new/", {**FORM, "preview": "1"}).content.decode()
    assert "1 article of your library matches these conditions." in preview
    assert not Rule.objects.exists()  # a preview saves nothing
    response = client_logged_in.post("/automation/rules/new/", FORM)
    assert response.status_code == 302 and response["Location"] == "/automation/"
    rule = Rule.objects.get()
    assert (
        rule.conditions == {"title_words": "python"} and rule.add_tags == ["python", "code"] and rule.archive
    )
    client_logged_in.post("/automation/rules/new/", {**FORM, "name": "Second", "title_words": "garden"})
    page = client_logged_in.get(f"/automation/rules/{rule.pk}/").content.decode()
    assert (
        "This rule has matched 0 articles so far." in page
        and "1 article of your library matches it now." in page
    )
    client_logged_in.post(
        f"/automation/rules/{Rule.objects.get(name='Second').pk}/move/", {"direction": "up"}
    )
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second", "Python"]
    index = client_logged_in.get("/automation/").content.decode()
    assert index.index("Second") < index.index("Python")
    edited = client_logged_in.post(f"/automation/rules/{rule.pk}/", {**FORM, "name": "Py", "origin": "feed"})
    assert edited.status_code == 302
    assert Rule.objects.get(pk=rule.pk).conditions == {"title_words": "python", "origin": "feed"}
    client_logged_in.post(f"/automation/rules/{rule.pk}/delete/")
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second"]


def test_a_bad_rule_keeps_what_was_typed_and_says_why(client_logged_in):
    response = client_logged_in.post(
        "/automation/rules/new/", {**FORM, "title_words": "", "add_tags": "kept"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "A rule needs at least one condition." in html
    assert 'value="kept"' in html and not Rule.objects.exists()


def test_apply_to_the_library_shows_progress(client_logged_in, user):
    rule = rules.rule_create(
        user=user, fields=rules.RuleFields(name="All", conditions={"url_contains": "example"}, favorite=True)
    )
    ArticleFactory(user=user, ready=True)
    response = client_logged_in.post("/automation/rules/apply/", {"rule": rule.pk})
    run = RuleRun.objects.get()
    assert response["Location"] == f"/automation/runs/{run.pk}/"
    page = client_logged_in.get(response["Location"]).content.decode()
    assert "0 of 1 articles checked" in page and 'hx-trigger="every 2s"' in page and "Reload" in page
    rules.rule_run_execute(run_id=run.pk)  # what the task does
    fragment = client_logged_in.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "1 of 1 articles checked, 1 matched." in fragment and "hx-trigger" not in fragment
    assert "<html" not in fragment


def test_webhook_secret_is_shown_once_and_test_event_is_logged(client_logged_in, user):
    response = client_logged_in.post(
        "/automation/webhooks/new/",
        {"url": "https://hooks.example.com/in", "events": ["article.saved", "article.ready"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    # Post/Redirect/Get: the endpoint's page shows the secret on the first visit only, and reloading it
    # adds no second endpoint.
    assert response.status_code == 302 and response["Location"] == f"/automation/webhooks/{endpoint.pk}/"
    assert endpoint.events == ["article.saved", "article.ready"]
    first = client_logged_in.get(response["Location"]).content.decode()
    assert endpoint.secret in first
    page = client_logged_in.get(f"/automation/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in page and "Nothing sent yet." in page
    assert WebhookEndpoint.objects.count() == 1
    client_logged_in.post(f"/automation/webhooks/{endpoint.pk}/test/")
    assert WebhookDelivery.objects.get().event == "webhook.test"
    page = client_logged_in.get(f"/automation/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.test" in page and "Waiting" in page
    rotated = client_logged_in.post(f"/automation/webhooks/{endpoint.pk}/rotate/").content.decode()
    new_secret = WebhookEndpoint.objects.get().secret
    assert new_secret != endpoint.secret and new_secret in rotated
    client_logged_in.post(f"/automation/webhooks/{endpoint.pk}/disable/")
    assert not WebhookEndpoint.objects.get().enabled
    client_logged_in.post(f"/automation/webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()


def test_a_bad_webhook_address_is_refused(client_logged_in):
    response = client_logged_in.post(
        "/automation/webhooks/new/", {"url": "javascript:alert(1)", "events": ["article.saved"]}
    )
    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()


def test_pages_are_per_person(client, other_user, user):
    rule = rules.rule_create(
        user=user, fields=rules.RuleFields(name="Mine", conditions={"site": "x.org"}, archive=True)
    )
    endpoint = WebhookEndpoint.objects.create(
        user=user, url="https://x.org/h", events=["article.ready"], secret="whsec_AAAA"
    )
    run = RuleRun.objects.create(user=user, total=1)
    client.force_login(other_user)
    for url in (
        f"/automation/rules/{rule.pk}/",
        f"/automation/webhooks/{endpoint.pk}/",
        f"/automation/runs/{run.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/automation/rules/{rule.pk}/delete/",
        f"/automation/rules/{rule.pk}/move/",
        f"/automation/webhooks/{endpoint.pk}/test/",
        f"/automation/webhooks/{endpoint.pk}/delete/",
    ):
        assert client.post(url).status_code == 404, url
    assert client.post("/automation/rules/apply/", {"rule": rule.pk}).status_code == 404
    assert "Mine" not in client.get("/automation/").content.decode()
    assert Rule.objects.count() == 1 and WebhookEndpoint.objects.count() == 1


def test_pages_have_no_inline_script(client_logged_in, user):
    rule = rules.rule_create(
        user=user, fields=rules.RuleFields(name="R", conditions={"site": "x.org"}, archive=True)
    )
    for url in (
        "/automation/",
        "/automation/rules/new/",
        f"/automation/rules/{rule.pk}/",
        "/automation/webhooks/new/",
    ):
        html = client_logged_in.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and "onclick=" not in html, url
