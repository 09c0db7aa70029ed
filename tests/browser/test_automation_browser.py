"""The rules and webhooks pages in Chromium at a phone's width (390 px): no horizontal scroll, touch
targets of at least 44x44 px (a checkbox's target is its label), no CSP violation; the library run's progress updates itself through htmx."""

import os
from pathlib import Path

import pytest

from automation.models import RuleRun
from automation.services import rules, webhooks
from tests.brokers import CLOSED_BROKER, publishing_to
from tests.factories import ArticleFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    user = UserFactory(username="phone")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login/")
    page.get_by_label("User name").fill("phone")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    yield page, user, problems
    context.close()


def _fits_a_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main a.button, main input[type=checkbox]')]
              .filter(e => e.offsetParent !== null)
              .map(e => { const r = e.getBoundingClientRect(); const box = e.type === 'checkbox'
                          ? (e.closest('label') || document.querySelector(`label[for="${e.id}"]`)).getBoundingClientRect() : r;
                          return [e.textContent.trim() || e.name, box.width, box.height]; })
              .filter(([, w, h]) => w < 44 || h < 44)"""
    )
    assert small == [], (page.url, small)


def test_pages_fit_a_phone_and_the_run_progress_updates(phone, live_server):
    page, user, problems = phone
    for i in range(3):
        ArticleFactory(user=user, ready=True, title=f"Chess {i}")
    rule = rules.rule_create(
        user=user,
        fields=rules.RuleFields(
            name="Chess", conditions={"title_words": "chess"}, add_tags=["chess"], stop=True
        ),
    )
    rules.rule_create(
        user=user,
        fields=rules.RuleFields(
            name="A rule with a rather long name to wrap", conditions={"site": "x.org"}, archive=True
        ),
    )
    endpoint = webhooks.webhook_create(
        user=user,
        url="https://hooks.example.com/a/very/long/path/that/must/wrap/on/a/phone",
        events=["article.ready"],
    )
    with publishing_to(CLOSED_BROKER):  # a delivery in the log, never sent anywhere
        webhooks.webhook_send_test(user=user, pk=endpoint.pk)
    pages = {
        "index": "/automation/",
        "rule-new": "/automation/rules/new/",
        "rule": f"/automation/rules/{rule.pk}/",
        "webhook-new": "/automation/webhooks/new/",
        "webhook": f"/automation/webhooks/{endpoint.pk}/",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in pages.items():
        page.goto(live_server.url + path)
        _fits_a_phone(page)
        page.screenshot(path=str(ARTIFACTS / f"automation-{name}-390.png"), full_page=True)

    page.goto(live_server.url + f"/automation/rules/{rule.pk}/")
    page.get_by_role("button", name="Apply this rule to my library").click()
    expect(page.get_by_role("status")).to_contain_text("0 of 3 articles checked")
    run = RuleRun.objects.get()
    rules.rule_run_execute(run_id=run.pk)  # the task's body, as the worker would run it
    expect(page.get_by_role("status")).to_contain_text("3 of 3 articles checked, 3 matched.", timeout=15_000)
    _fits_a_phone(page)
    assert problems == []
