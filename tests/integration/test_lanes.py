"""Slow fetches never starve fast saves (issue 21, item 2): real Celery workers started as in production
(a save lane, ``-Q folio,folio-import``, and a slow lane, ``-Q folio-slow``, in their own processes), pages
from local servers that never finish or answer late. Timing figures are in bench/fetch_starvation_bench.py;
these tests assert the order of events only."""

from __future__ import annotations

import time
import uuid

import pytest

from articles import services
from articles.models import Article, ArticleImage
from tests import imagefiles
from tests.conftest import WorkerProcess, worker_queues_env
from tests.pageserver import PageServer, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def endless(handler) -> None:
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>")
        while True:
            handler.wfile.flush()
            time.sleep(0.5)
            handler.wfile.write(b"a")
    except OSError:
        pass


@pytest.fixture
def two_lanes(settings, tmp_path, django_db_blocker):
    """A save-lane worker and a slow-lane worker (2 processes each) on queues of this test only."""
    queue = f"folio-lanes-{uuid.uuid4().hex[:8]}"
    env = worker_queues_env(settings, queue, FOLIO_FETCH_FAST_TIMEOUT="2")
    save_lane = WorkerProcess(tmp_path / "save.log", queue, env, extra_queues=(settings.FOLIO_IMPORT_QUEUE,))
    slow_lane = WorkerProcess(tmp_path / "slow.log", settings.FOLIO_SLOW_QUEUE, env)
    save_lane.start()
    slow_lane.start()
    yield save_lane, slow_lane
    save_lane.stop()
    slow_lane.stop()


def test_saves_go_through_while_endless_pages_hold_the_slow_lane(user, two_lanes, page_server):
    save_lane, slow_lane = two_lanes
    slow_sites = [PageServer(), PageServer()]
    try:
        for site in slow_sites:
            site.add("/endless.html", handler=endless)
        stuck = [
            services.article_save_url(user=user, url=s.url("/endless.html"), origin="form")[0]
            for s in slow_sites
        ]
        assert wait_for(
            lambda: Article.objects.filter(pk__in=[a.pk for a in stuck], status="fetching").count() == 2
        )
        normal = [
            services.article_save_url(
                user=user, url=page_server.url(f"/seed/voz-russia-taliban.html?n={i}"), origin="form"
            )[0]
            for i in range(3)
        ]
        ok = wait_for(
            lambda: Article.objects.filter(pk__in=[a.pk for a in normal], status="ready").count() == 3,
            timeout=60,
        )
        assert ok, save_lane.log()[-3000:]
        # The endless pages left the save lane for the slow lane, where they are still being fetched.
        assert not Article.objects.filter(
            pk__in=[a.pk for a in stuck], status__in=["ready", "failed"]
        ).exists()
        assert "slow" in slow_lane.log() and "article_process_task" in slow_lane.log()
    finally:
        for site in slow_sites:
            site.close()


def test_images_late_on_the_save_lane_are_kept_by_the_slow_lane(user, two_lanes, page_server):
    """An image slower than the save lane's limit leaves the article ready with a link in its place; the
    slow lane then keeps it and points the article at Folio's copy."""
    _save_lane, slow_lane = two_lanes
    body = imagefiles.drawing()

    def late_image(handler):
        time.sleep(3)  # past FOLIO_FETCH_FAST_TIMEOUT=2, well within the slow lane's limits
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    image = page_server.add(f"/lanes/late-{uuid.uuid4().hex[:6]}.png", handler=late_image)
    para = (
        "<p>" + " ".join(["Ferries crossed the strait twice a day in every season of the year."] * 6) + "</p>"
    )
    html = (
        f"<html><head><title>Ferries</title></head><body><article><h1>Ferries</h1>{para}"
        f'<figure><img src="{image}" alt="late"></figure>{para}{para}</article></body></html>'
    )
    article, _ = services.article_save_url(
        user=user, url=page_server.add("/lanes/with-late-image.html", html), origin="form"
    )
    assert wait_for(lambda: Article.objects.get(pk=article.pk).status == "ready", timeout=60)
    assert wait_for(
        lambda: ArticleImage.objects.filter(article=article, source_url=image, status="stored").exists(),
        timeout=60,
    ), slow_lane.log()[-3000:]
    assert wait_for(lambda: "/images/" in Article.objects.get(pk=article.pk).content_html, timeout=10)
    assert f'href="{image}"' not in Article.objects.get(pk=article.pk).content_html
