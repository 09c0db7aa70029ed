"""Pages a new user met on a phone (390x844) in German, found while trying Folio from its README: the
reading statistics' chart drew no bar (its SVG lengths came out as "142,0", a console error per
attribute), the people page scrolled sideways (its table was 617 px wide in German) and a short rule's
name on the rules page was a 44x20 px link."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from articles import services
from automation.services import rules
from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.factories import ArticleFactory, ReaderSettingsFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stats_chart_people_and_rules_pages_in_german_on_a_phone(live_server, client, user):
    user.is_staff = True
    user.email = "a-rather-long-address-for-the-people-table@example.com"
    user.save(update_fields=["is_staff", "email"])
    ReaderSettingsFactory(user=user, language="de")
    article = ArticleFactory(user=user, ready=True, word_count=1234, site_name="Beispiel")
    services.article_update(user=user, pk=article.pk, progress_percent=60)  # reading, for the chart
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))

        page.goto(live_server.url + "/stats/")
        assert page.locator("html").get_attribute("lang") == "de"
        heights = page.eval_on_selector_all(".stats-bar", "bars => bars.map(b => b.getBBox().height)")
        assert len(heights) > 1 and max(heights) > 0  # the week read is drawn as a bar
        widths = page.eval_on_selector_all(".stats-bar", "bars => bars.map(b => b.getBBox().width)")
        assert min(widths) > 0

        page.goto(live_server.url + "/account/people/")
        assert page.get_by_text(user.email).is_visible()
        # Against the root's client width: with is_mobile, Chromium widens window.innerWidth to the content.
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 390, widths
        rules.rule_create(
            user=user, fields=rules.RuleFields(name="EV", conditions={"site": "example.com"}, add_tags=["ev"])
        )
        page.goto(live_server.url + "/automation/")
        box = page.get_by_role("link", name="EV", exact=True).bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
        browser.close()
    assert not errors, "\n".join(errors)
