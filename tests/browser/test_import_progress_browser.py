"""The import page in Chromium with the real worker: upload a Pocket CSV through the form and watch the
progress block update by itself (htmx polling) until every article is fetched, without reloading."""

from __future__ import annotations

import re
import time

import pytest

from articles.models import Article, Import
from tests.browser import logged_in_page

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PAGE = (
    "<html><head><title>Imported</title></head><body><article>"
    + "".join(
        f"<p>Paragraph {i} of this page tells another part of the story about rivers, towns and bread.</p>"
        for i in range(5)
    )
    + "</article></body></html>"
)


def test_upload_and_watch_progress(
    live_server, client, user, page_server, celery_worker_process, monkeypatch, tmp_path
):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop here

    def slow_page(handler):
        """The article page, a quarter second late: 40 of them keep the import running long enough
        for the 2-second progress poll to show it moving, however fast the machine."""
        time.sleep(0.25)
        body = PAGE.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    page_server.add("/progress-page", handler=slow_page)
    page_server.add("/progress-gone", "gone", status=404)
    rows = ["title,url,time_added,tags,status"]
    rows += [
        f"P {i},{page_server.url('/progress-page')}?n={i},{1600000000 + i},watch,unread" for i in range(40)
    ]
    rows += [
        f"Gone,{page_server.url('/progress-gone')},1600000000,,unread",
        "Bad,javascript:alert(1),1,,unread",
    ]
    upload = tmp_path / "part_000000.csv"
    upload.write_text("\n".join(rows) + "\n")

    with sync_playwright() as p:
        browser, page = logged_in_page(p, client, user, live_server.url)
        page.goto(f"{live_server.url}/imports/")
        page.set_input_files("#id_file", str(upload))
        page.click(".import-form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/imports/")
        job = Import.objects.get(user=user)
        block = page.locator(f"#import-{job.pk}")
        seen: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = " ".join(block.inner_text().split())
            if not seen or text != seen[-1]:
                seen.append(text)
            if "0 remaining" in text and re.search(r"\b41 done|\b40 done", text) and "1 failed" in text:
                break
            time.sleep(0.3)
        final = seen[-1]
        assert "Read 42 of 42 entries: 41 new, 0 already saved, 1 rejected" in final, seen
        assert "40 done" in final and "1 failed" in final and "0 remaining" in final, seen
        assert len(seen) >= 3, seen  # it changed by itself several times
        assert page.url == f"{live_server.url}/imports/"  # no reload, no navigation
        assert "could not be fetched" in final and "404" in final
        assert block.locator("button", has_text="Retry the 1 failed article").count() == 1
        browser.close()
    assert Article.objects.filter(import_job=job, status="ready").count() == 40
