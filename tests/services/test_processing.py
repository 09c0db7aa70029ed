"""article_process against pages on the local server (the same function the worker runs)."""

import json

import pytest

from articles import services
from articles.errors import RetryLater
from articles.models import Article, ArticleSource
from tests.factories import ArticleFactory
from tests.pageserver import SEED_DIR

pytestmark = pytest.mark.django_db


def _save(user, url):
    article, _ = services.article_save_url(origin="form", user=user, url=url)
    return article


def test_seed_page_becomes_ready_with_metadata(user, page_server):
    expected = json.loads((SEED_DIR / "voz-russia-taliban.expected.json").read_text())
    article = _save(user, page_server.url("/seed/voz-russia-taliban.html"))
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert article.status == "ready" and article.failure_reason == ""
    assert article.title == expected["title"]
    assert article.canonical_url == expected["url"]
    assert article.word_count > 400 and article.reading_time_minutes == Article.reading_time_for(
        article.word_count
    )
    assert article.fetched_at is not None and article.attempts == 1
    assert ArticleSource.objects.get(article=article).http_status == 200


def test_redelivered_task_does_nothing(user, page_server):
    article = _save(user, page_server.url("/seed/voz-russia-taliban.html"))
    assert services.article_process(article_id=article.pk) == "ready"
    assert services.article_process(article_id=article.pk) is None
    article.refresh_from_db()
    assert article.attempts == 1


def test_404_fails_with_reason_and_bookmarklet_hint(user, page_server):
    article = _save(user, page_server.url("/nowhere"))
    assert services.article_process(article_id=article.pk) == "failed"
    article.refresh_from_db()
    assert article.failure_reason.startswith("The server answered 404 Not Found.")
    assert "bookmarklet" in article.failure_reason


def test_temporary_error_requeues_then_fails_after_max_attempts(user, page_server, settings):
    settings.FOLIO_MAX_ATTEMPTS = 2
    page_server.add("/flaky", "down", status=502)
    article = _save(user, page_server.url("/flaky"))
    with pytest.raises(RetryLater) as info:
        services.article_process(article_id=article.pk)
    assert info.value.backoff and "502 Bad Gateway" in info.value.reason
    article.refresh_from_db()
    assert article.status == "queued" and "502 Bad Gateway" in article.failure_reason
    assert services.article_process(article_id=article.pk) == "failed"


def test_refused_address_fails_without_fetch(user, settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    article = _save(user, "http://127.0.0.1:9/private")
    assert services.article_process(article_id=article.pk) == "failed"
    article.refresh_from_db()
    assert "private, local or reserved" in article.failure_reason


def test_plain_text_document(user, page_server):
    page_server.add(
        "/notes.txt",
        "A plain note about rivers.\n\nSecond paragraph here.",
        headers={"Content-Type": "text/plain"},
    )
    article = _save(user, page_server.url("/notes.txt"))
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert article.content_html == "<p>A plain note about rivers.</p><p>Second paragraph here.</p>"


def test_pdf_document_text_and_title(user, page_server):
    from io import BytesIO

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 720 Td (Rivers shape the towns built beside them.) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": "On Rivers"})
    buffer = BytesIO()
    writer.write(buffer)
    page_server.add("/paper.pdf", buffer.getvalue(), headers={"Content-Type": "application/pdf"})
    article = _save(user, page_server.url("/paper.pdf"))
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert article.title == "On Rivers"
    assert "Rivers shape the towns" in article.content_text


def test_page_sent_by_browser_is_not_fetched(user, page_server):
    html = (SEED_DIR / "voz-russia-taliban.html").read_text()
    url = page_server.url("/never-fetched")
    article, created = services.article_save_page(
        origin="bookmarklet", user=user, url=url, html=html, title="From the browser"
    )
    assert created
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert article.source == "browser" and article.url == url
    assert "Russian Prosecutor General" in article.content_text
    assert page_server.hits.get("/never-fetched") is None


def test_sanitized_html_stored(user, page_server):
    body = "<p>" + "Words about rivers and towns. " * 40 + "</p>"
    page_server.add(
        "/hostile",
        f"<html><body><article>{body}<p><a href='javascript:alert(1)'>x</a>"
        f"<img src=x onerror=alert(1)></p>{body}</article></body></html>",
    )
    article = _save(user, page_server.url("/hostile"))
    services.article_process(article_id=article.pk)
    article.refresh_from_db()
    assert "javascript:" not in article.content_html and "onerror" not in article.content_html


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_claim_whose_worker_process_died_is_taken_over_at_once(user, settings, monkeypatch):
    """Issue 21.8: an article left ``fetching`` by a killed worker process is claimable again at once (well
    inside FOLIO_STALE_AFTER), and the sweep sends it at once; a live claimant's article is left alone."""
    import socket

    from django.utils import timezone

    from articles.services import processing

    settings.FOLIO_STALE_AFTER = 300
    dead = ArticleFactory(
        user=user,
        status="fetching",
        attempts=1,
        claimed_at=timezone.now(),
        claimed_by=f"{socket.gethostname()}:{_dead_pid()}:task-1",
    )
    alive = ArticleFactory(
        user=user,
        status="fetching",
        attempts=1,
        claimed_at=timezone.now(),
        claimed_by=processing.claimant_token(),
    )
    elsewhere = ArticleFactory(
        user=user, status="fetching", attempts=1, claimed_at=timezone.now(), claimed_by="other-host:1:task-2"
    )
    # A live worker on another host keeps its heartbeat (with Redis; without, it cannot be checked at all).
    from articles import heartbeat

    heartbeat.beat("other-host", 1)
    sent = []
    monkeypatch.setattr(
        processing.enqueue, "article_process_enqueue", lambda pk, **kw: sent.append(pk) or True
    )
    assert processing.article_requeue_stale() == 1 and sent == [dead.pk]
    assert processing._claim(dead.pk, "task-1")
    assert not processing._claim(alive.pk) and not processing._claim(elsewhere.pk)
    dead.refresh_from_db()
    assert dead.attempts == 2 and dead.claimed_by == processing.claimant_token("task-1")


def test_multi_page_article_joined_up_to_the_page_cap(user, page_server, settings):
    from tests.multipage import add_article, paragraph

    settings.FOLIO_ARTICLE_MAX_PAGES = 2
    article = _save(user, add_article(page_server))
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert paragraph(1, 1) in article.content_text and paragraph(2, 4) in article.content_text
    assert paragraph(3, 1) not in article.content_text
    assert article.extraction_log["pagination"]["joined"] == 2
    assert "pages 1 to 2 of several" in article.extraction_log["warnings"]


def test_multi_page_article_keeps_the_pages_before_a_failing_one(user, page_server):
    from tests.multipage import add_article, paragraph

    article = _save(user, add_article(page_server, prefix="/broken", broken=3))
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert paragraph(2, 1) in article.content_text and paragraph(3, 1) not in article.content_text
    assert article.extraction_log["pagination"]["joined"] == 2
    assert any(w.startswith("next page not joined") for w in article.extraction_log["warnings"])
