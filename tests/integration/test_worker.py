"""End to end with the real broker and a real Celery worker process: save through the API, read the result."""

import json
import random
import re

import pytest

from articles.models import Article
from tests.pageserver import CORPUS_DIR, SEED_DIR, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def collapse(text):
    return re.sub(r"\s+", " ", text).strip()


def _wait_done(pk, timeout=60):
    wait_for(lambda: Article.objects.get(pk=pk).status in ("ready", "failed"), timeout=timeout)
    return Article.objects.get(pk=pk)


def test_seed_page_through_api_and_worker(api_client, page_server, celery_worker_process):
    expected = json.loads((SEED_DIR / "voz-russia-taliban.expected.json").read_text())
    response = api_client.post(
        "/api/articles/", {"url": page_server.url("/seed/voz-russia-taliban.html")}, format="json"
    )
    assert response.status_code == 201
    article = _wait_done(response.json()["id"])
    assert article.status == "ready", (article.failure_reason, celery_worker_process.log()[-2000:])
    body = api_client.get(f"/api/articles/{article.pk}/").json()
    text = collapse(body["content_text"])
    for paragraph in expected["body_paragraphs"] + expected["body_headings"]:
        assert collapse(paragraph) in text
    for furniture in expected["must_not_contain"]:
        assert furniture not in body["content_text"] and furniture not in body["content_html"]
    for key in ("title", "author", "published", "site_name", "language", "lead_image", "excerpt"):
        assert body[key] == expected[key], key


def test_failure_reaches_a_visible_state(api_client, page_server, celery_worker_process):
    response = api_client.post("/api/articles/", {"url": page_server.url("/gone")}, format="json")
    article = _wait_done(response.json()["id"])
    assert article.status == "failed" and "404 Not Found" in article.failure_reason


def test_temporary_errors_are_retried_by_the_worker(api_client, page_server, celery_worker_process):
    calls = {"n": 0}

    def flaky(handler):
        calls["n"] += 1
        ok = calls["n"] >= 3
        body = (SEED_DIR / "voz-russia-taliban.html").read_bytes() if ok else b"busy"
        handler.send_response(200 if ok else 503)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    url = page_server.add("/flaky-seed", handler=flaky)
    response = api_client.post("/api/articles/", {"url": url}, format="json")
    article = _wait_done(response.json()["id"])
    assert article.status == "ready" and calls["n"] == 3 and article.attempts == 3


def test_corpus_sample_becomes_ready(api_client, page_server, celery_worker_process):
    ids = sorted(p.name.removesuffix(".html.gz") for p in (CORPUS_DIR / "html").glob("*.html.gz"))
    sample = random.Random(2).sample(ids, 8)
    created = []
    for page_id in sample:
        response = api_client.post(
            "/api/articles/", {"url": page_server.url(f"/corpus/{page_id}.html")}, format="json"
        )
        assert response.status_code == 201
        created.append(response.json()["id"])
    truth = json.loads((CORPUS_DIR / "ground-truth.json").read_text())
    for pk, page_id in zip(created, sample, strict=True):
        article = _wait_done(pk, timeout=120)
        assert article.status == "ready", (page_id, article.failure_reason)
        truth_words = set(re.findall(r"\w+", truth[page_id]["articleBody"].lower()))
        got_words = set(re.findall(r"\w+", article.content_text.lower()))
        assert len(truth_words & got_words) / len(truth_words) > 0.6, page_id


def test_multi_page_article_is_joined_by_the_worker(api_client, page_server, celery_worker_process):
    from tests.multipage import PAGES, add_article, paragraph

    response = api_client.post("/api/articles/", {"url": add_article(page_server)}, format="json")
    article = _wait_done(response.json()["id"])
    assert article.status == "ready", (article.failure_reason, celery_worker_process.log()[-2000:])
    text = article.content_text
    expected = [paragraph(page, n) for page in range(1, PAGES + 1) for n in range(1, 5)]
    positions = [text.find(p) for p in expected]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)  # every page, in order
    assert article.extraction_log["pagination"]["joined"] == PAGES
    assert not any(w.startswith(("page 1 of", "pages 1 to")) for w in article.extraction_log["warnings"])
