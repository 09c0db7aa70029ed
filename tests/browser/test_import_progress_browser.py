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


def test_retry_a_stopped_import_on_a_phone(live_server, client, user, monkeypatch):
    """A failed import kept for a Retry, at 390 px wide: both buttons are touch-sized, nothing scrolls
    sideways, and Retry (htmx) swaps the block for the waiting import without a reload."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from articles import services
    from articles.services import importing

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "pocket.csv"
    job = services.import_create(user=user, data=sample.read_bytes(), filename="pocket.csv", enqueue=False)
    Import.objects.filter(pk=job.pk).update(
        status="failed", error=importing.stopped_reason(), entries_done=2, total=4
    )
    with sync_playwright() as p:
        browser, page = logged_in_page(p, client, user, live_server.url)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/imports/")
        block = page.locator(f"#import-{job.pk}")
        assert "2 of 4 entries were handled" in block.inner_text()
        for label in ("Retry from where it stopped", "Give up this import"):
            box = block.locator("button", has_text=label).bounding_box()
            assert box and box["height"] >= 44 and box["width"] >= 44 and box["x"] + box["width"] <= 390, (
                label
            )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        block.locator("button", has_text="Retry from where it stopped").click()
        block.locator("button", has_text="Retry from where it stopped").wait_for(state="detached")
        assert "Waiting" in block.inner_text()  # the swapped block: the import is queued again
        assert page.url == f"{live_server.url}/imports/"
        browser.close()
    job.refresh_from_db()
    # Queued again; where a worker is running (the PostgreSQL pass's session worker) it may have run already.
    assert job.status in ("pending", "running", "done") and job.error == ""
    if job.status == "done":
        assert job.entries_done == job.total == 4 and not job.file
