"""The export job's page in Chromium at 390 px (issue 15 item 3): it fits, its targets are large, htmx
polling shows the download once the book is made, and the cancel button works (with JavaScript on)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from articles.models import ExportJob
from articles.services import export_jobs
from tests.browser import logged_in_page
from tests.browser.test_pages_browser import PHONE, SMALL_TARGETS_JS
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_job_page_polls_to_the_download_and_cancel_works(live_server, client, user):
    for n in range(3):
        ArticleFactory(user=user, ready=True, title=f"Book chapter {n}")
    with sync_playwright() as p:
        browser, page = logged_in_page(p, client, user, live_server.url)
        page.set_viewport_size(PHONE)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + "/export/?format=epub")
        job = ExportJob.objects.get(user=user)
        expect(page.get_by_role("status")).to_contain_text("0 of 3 articles in the book")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.evaluate(SMALL_TARGETS_JS) == []
        export_jobs.export_job_run(job_id=job.pk)  # what the worker does (a real one: tests/integration)
        expect(page.get_by_role("link", name="Download the EPUB")).to_be_visible(timeout=10_000)
        expect(page.get_by_role("button", name="Cancel this export")).to_have_count(0)

        page.goto(live_server.url + "/export/?format=epub")
        second = ExportJob.objects.filter(user=user).exclude(pk=job.pk).get()
        page.get_by_role("button", name="Cancel this export").click()
        expect(page.locator(f"#export-job-{second.pk}")).to_contain_text("Cancelled.")
        second.refresh_from_db()
        assert second.status == "cancelled"
        browser.close()
    assert not errors, errors
