"""The extraction log of an article, saved through the worker's function, in the API and the reader."""

import pytest

from articles.models import Article
from articles.services import article_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def processed(api_client, page_server):
    url = page_server.url("/seed/voz-russia-taliban.html")
    created = api_client.post("/api/articles/", {"url": url}, format="json").json()
    assert article_process(article_id=created["id"]) == Article.Status.READY
    return Article.objects.get(pk=created["id"])


def test_api_returns_extraction_log(api_client, processed):
    body = api_client.get(f"/api/articles/{processed.pk}/").json()
    log = body["extraction_log"]
    assert log["extractor"] == "trafilatura"
    assert "trafilatura" in log["scores"] and log["scores"]["trafilatura"]["words"] > 100
    assert isinstance(log["fallbacks"], list) and isinstance(log["warnings"], list)


def test_reader_shows_extraction_log_in_details(client, user, processed):
    client.force_login(user)
    html = client.get(f"/articles/{processed.pk}/").content.decode()
    assert '<details class="extraction-log">' in html
    assert "How Folio extracted this page" in html
    assert '<dd class="extraction-winner">trafilatura</dd>' in html


def test_reader_log_escapes_page_text(client, user, processed):
    processed.extraction_log = {"extractor": "trafilatura", "removed": ["edge: <script>alert(1)</script>"]}
    processed.save(update_fields=["extraction_log"])
    client.force_login(user)
    html = client.get(f"/articles/{processed.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
