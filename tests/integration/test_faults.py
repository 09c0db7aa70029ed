"""Faults with real processes: a worker killed with SIGKILL in the middle of an article, the broker down when
a
save arrives, Celery's soft time limit. Each test starts its own worker (tests/conftest.WorkerProcess) on its
own queue so that killing it cannot disturb the session worker.

Redis redelivers an unacknowledged task (acks_late) once the broker's visibility timeout has passed; kombu's
filesystem broker (the SQLite pass) drops a message when it is delivered, so there the periodic sweep
(article_requeue_stale) is what brings the article back. Each engine asserts its own path.
"""

import os
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from articles import services
from articles.models import Article
from tests.brokers import CLOSED_BROKER, publishing_to
from tests.conftest import LOCAL_NETWORKS, WorkerProcess, _database_url
from tests.factories import ArticleFactory
from tests.pageserver import SEED_DIR, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEED = (SEED_DIR / "voz-russia-taliban.html").read_bytes()


def _serve_seed(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(SEED)))
    handler.end_headers()
    handler.wfile.write(SEED)


def _redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


def _isolated_broker(url: str) -> str:
    """A Redis database of its own (14) for workers with a tiny visibility timeout: kombu keeps unacked
    messages in one hash per database, and such a worker would hand other tests' in-flight tasks out again."""
    if not _redis(url):
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/14", parts.query, ""))


def _worker(tmp_path, queue: str, broker_url: str, **env) -> WorkerProcess:
    from django.conf import settings

    full_env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "FOLIO_DATA_DIR": str(settings.DATA_DIR),
        "FOLIO_QUEUE": queue,
        "FETCH_ALLOWED_NETWORKS": LOCAL_NETWORKS,
        "FOLIO_RETRY_BACKOFF": "0.2",
        "DJANGO_SETTINGS_MODULE": "reader.settings",
        **env,
    }
    return WorkerProcess(tmp_path / f"{queue}-{uuid.uuid4().hex[:6]}.log", queue, full_env)


def _status(pk: int) -> str:
    return Article.objects.get(pk=pk).status


def test_worker_killed_mid_article_ends_ready_after_restart(user, page_server, settings, tmp_path):
    """A worker SIGKILLed mid-article (issue 21.8): the article is taken over as soon as a task for it
    runs again, not after FOLIO_STALE_AFTER (left at its default of 300 s here): the claim names its worker
    process, and that process is provably dead. Redis hands the unacknowledged task back (visibility
    timeout 2 s here); kombu's filesystem broker dropped it, so there the sweep sends it at once."""
    queue = f"folio-kill-{uuid.uuid4().hex[:8]}"
    broker = _isolated_broker(settings.CELERY_BROKER_URL)
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    small = {"FOLIO_BROKER_VISIBILITY_TIMEOUT": "2"}
    entered, release, hits = threading.Event(), threading.Event(), []

    def blocking_then_served(handler):
        hits.append(time.monotonic())
        if len(hits) == 1:  # the first fetch hangs until the test has killed its worker
            entered.set()
            release.wait(60)
            handler.close_connection = True
            return
        _serve_seed(handler)

    url = page_server.add(f"/kill-{queue}", handler=blocking_then_served)
    first = _worker(tmp_path, queue, broker, **small)
    first.start()
    try:
        with publishing_to(broker):
            article, _ = services.article_save_url(origin="form", user=user, url=url)
        assert entered.wait(60), first.log()[-3000:]
        assert _status(article.pk) == Article.Status.FETCHING
        killed_at = time.monotonic()
        first.kill()
    finally:
        first.kill()
        release.set()
    assert _status(article.pk) == Article.Status.FETCHING
    assert settings.FOLIO_STALE_AFTER >= 300  # the stale rule cannot be what brings it back

    second = _worker(tmp_path, queue, broker, **small)
    second.start()
    try:
        if not _redis(broker):
            # The filesystem broker dropped the message on delivery: the sweep finds the dead claim.
            with publishing_to(broker):
                assert services.article_requeue_stale() == 1
        assert wait_for(lambda: _status(article.pk) == Article.Status.READY, timeout=120), second.log()[
            -3000:
        ]
        sys.stdout.write(
            f"\nworker SIGKILL to ready: {time.monotonic() - killed_at:.1f} s (figure, not asserted)\n"
        )
    finally:
        second.stop()
    article.refresh_from_db()
    assert article.attempts == 2 and len(hits) == 2
    assert "Russian Prosecutor General" in article.content_text


def test_save_while_broker_is_down_then_sweep_queues_it(
    api_client, page_server, celery_worker_process, settings, caplog
):
    url = page_server.url("/seed/voz-russia-taliban.html")
    with publishing_to(CLOSED_BROKER):  # nothing listens on port 1
        response = api_client.post("/api/articles/", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    # The send gave up (CELERY_TASK_PUBLISH_RETRY_POLICY bounds its retries) and the save was kept.
    assert "the periodic sweep will queue it" in caplog.text
    pk = response.json()["id"]
    assert _status(pk) == Article.Status.QUEUED
    time.sleep(1)
    assert _status(pk) == Article.Status.QUEUED  # no worker ever heard of it

    # The broker is back: the next periodic sweep sends it at once, not FOLIO_STALE_AFTER (300 s) later,
    # because the row says its message never left (issue 21.8).
    from articles.services.processing import UNSENT_REASON

    assert Article.objects.get(pk=pk).failure_reason == UNSENT_REASON
    assert settings.FOLIO_STALE_AFTER >= 300
    assert services.article_requeue_stale() == 1
    assert wait_for(lambda: _status(pk) == Article.Status.READY, timeout=60), celery_worker_process.log()[
        -3000:
    ]
    assert Article.objects.get(pk=pk).attempts == 1


def test_sweep_while_broker_still_down_keeps_the_article_queued(user, settings):
    settings.FOLIO_STALE_AFTER = 0
    with publishing_to(CLOSED_BROKER):
        article, _ = services.article_save_url(origin="form", user=user, url="https://example.com/later")
        assert services.article_requeue_stale() == 0
    assert _status(article.pk) == Article.Status.QUEUED


def test_soft_time_limit_fails_with_a_clear_reason(user, page_server, settings):
    """Celery's soft limit is SIGUSR1 in the pool process, whose handler raises SoftTimeLimitExceeded
    (billiard.pool.soft_timeout_sighandler). The same signal-raised exception, mid-fetch, here."""
    import signal

    from celery.exceptions import SoftTimeLimitExceeded

    from articles.tasks import article_process_task

    settings.CELERY_TASK_SOFT_TIME_LIMIT = 1
    release = threading.Event()

    def hang(handler):
        release.wait(30)
        handler.close_connection = True

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    url = page_server.add("/hang-soft", handler=hang)
    # Built queued without a message on the broker: a session worker started by an earlier test would
    # otherwise race this process for the claim (and hold the article "fetching" on the hanging page).
    article = ArticleFactory(user=user, url=url)
    previous = signal.signal(signal.SIGUSR1, soft_limit)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGUSR1))
    try:
        timer.start()
        article_process_task(article.pk)  # the task body, run in this process
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
        release.set()
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "longer than Folio's limit of 1 seconds" in article.failure_reason


def test_article_cut_off_too_often_ends_failed(user, settings):
    """A page that always outlives the hard time limit (the pool process is killed, the row stays
    ``fetching``) is not swept back for ever: after FOLIO_MAX_ATTEMPTS it fails with a reason."""
    from datetime import timedelta

    from django.utils import timezone

    settings.FOLIO_MAX_ATTEMPTS = 2
    settings.FOLIO_STALE_AFTER = 60
    with publishing_to(CLOSED_BROKER):  # no worker may pick it up meanwhile
        article, _ = services.article_save_url(origin="form", user=user, url="https://example.com/heavy")
    long_ago = timezone.now() - timedelta(seconds=120)
    Article.objects.filter(pk=article.pk).update(status="fetching", attempts=2, claimed_at=long_ago)
    assert services.article_process(article_id=article.pk) is None  # a redelivered task cannot claim it
    with publishing_to(CLOSED_BROKER):
        assert services.article_requeue_stale() == 0
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED and "stopped several times" in article.failure_reason
    assert "bookmarklet" in article.failure_reason
