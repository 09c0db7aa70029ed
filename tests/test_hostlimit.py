"""At most FOLIO_FETCH_PER_HOST fetches per host at once: both backends (Redis and file locks), the fetch
client
under many threads, and the processing service (waiting for a slot is not an attempt)."""

import contextlib
import os
import threading
import time

import pytest

from articles import fetching, hostlimit, services
from articles.errors import RetryLater
from articles.fetching import fetch
from articles.models import Article

REDIS_URL = os.environ.get("CELERY_BROKER_URL", "").startswith("redis") and os.environ["CELERY_BROKER_URL"]


@pytest.fixture(params=["files", "redis"])
def backend(request, settings, tmp_path):
    """Each backend in turn; Redis is the test broker's Redis (or the local default in the SQLite pass)."""
    settings.DATA_DIR = tmp_path
    settings.FOLIO_FETCH_HOST_WAIT = 0.3
    settings.CELERY_BROKER_URL = (
        "filesystem://" if request.param == "files" else (REDIS_URL or "redis://127.0.0.1:6379/15")
    )
    return request.param


def test_slots_are_counted_per_host(backend, settings, monkeypatch):
    settings.FOLIO_FETCH_PER_HOST = 2
    host = f"limit-{backend}-{time.time_ns()}.test"
    first, second = hostlimit.acquire(host), hostlimit.acquire(host)
    polls = []
    real_sleep = hostlimit.time.sleep
    monkeypatch.setattr(hostlimit.time, "sleep", lambda seconds: (polls.append(seconds), real_sleep(seconds)))
    with pytest.raises(hostlimit.HostBusy):
        hostlimit.acquire(host)
    monkeypatch.undo()
    # It waited (polled at least once within FOLIO_FETCH_HOST_WAIT) before giving up; no clock is read here.
    assert polls and sum(polls) <= settings.FOLIO_FETCH_HOST_WAIT + max(polls)
    other = hostlimit.acquire(f"other-{host}")  # another host is not affected
    hostlimit.release(host, first)
    third = hostlimit.acquire(host)
    for token in (second, third):
        hostlimit.release(host, token)
    hostlimit.release(f"other-{host}", other)


def test_zero_turns_the_limit_off(settings):
    settings.FOLIO_FETCH_PER_HOST = 0
    assert [hostlimit.acquire("a.test") for _ in range(5)] == [None] * 5


def _gate_handler(state):
    def handler(h):
        with state["lock"]:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(state["hold"])
        with state["lock"]:
            state["now"] -= 1
        body = b"<html><body><p>Rivers shape towns.</p></body></html>"
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handler


def test_concurrent_fetches_of_one_host_never_exceed_the_limit(backend, settings, page_server):
    settings.FOLIO_FETCH_PER_HOST = 2
    settings.FOLIO_FETCH_HOST_WAIT = 20
    state = {"lock": threading.Lock(), "now": 0, "max": 0, "hold": 0.3}
    url = page_server.add(f"/gate-{backend}", handler=_gate_handler(state))
    results = []
    threads = [threading.Thread(target=lambda: results.append(fetch(url).status)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [200] * 6
    assert state["max"] == 2


def test_busy_host_is_a_temporary_error_that_does_not_count_as_an_attempt(user, page_server, settings, db):
    settings.FOLIO_FETCH_PER_HOST = 1
    settings.FOLIO_FETCH_HOST_WAIT = 0.2
    host = page_server.base.removeprefix("http://")
    token = hostlimit.acquire(host)  # another fetch of this host is running
    try:
        article, _ = services.article_save_url(
            origin="form", user=user, url=page_server.url("/seed/voz-russia-taliban.html")
        )
        with pytest.raises(RetryLater) as info:  # the service's signal; the task waits without backoff
            services.article_process(article_id=article.pk)
        assert info.value.retry_after and "already fetching 1 pages" in info.value.reason
        assert not info.value.backoff
        article.refresh_from_db()
        assert article.status == Article.Status.QUEUED and article.attempts == 0
    finally:
        hostlimit.release(host, token)
    assert services.article_process(article_id=article.pk) == Article.Status.READY
    article.refresh_from_db()
    assert article.attempts == 1


def test_slot_is_given_back_after_every_outcome(backend, settings, page_server):
    settings.FOLIO_FETCH_PER_HOST = 1
    page_server.add("/slot-ok", "<p>ok</p>")
    for path in ("/slot-ok", "/slot-missing", "/slot-ok"):
        with contextlib.suppress(fetching.FetchError):
            fetch(page_server.url(path))
    token = hostlimit.acquire(page_server.base.removeprefix("http://"))
    hostlimit.release(page_server.base.removeprefix("http://"), token)
