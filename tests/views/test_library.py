"""Library and reader pages: log-in, saving by form, scoping, CSP, query-count guard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_login_required(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_save_form_creates_article_and_redirects(client_logged_in, user):
    response = client_logged_in.post("/", {"url": "https://example.com/story", "tags": "a, b"})
    assert response.status_code == 302
    article = Article.objects.get(user=user)
    assert article.status == "queued" and sorted(t.name for t in article.tags.all()) == ["a", "b"]


def test_save_form_shows_error_for_bad_url(client_logged_in):
    response = client_logged_in.post("/", {"url": "ftp://example.com/x"})
    assert response.status_code == 200
    assert "http and https" in response.content.decode()
    assert not Article.objects.exists()


def test_pending_rows_poll_and_ready_rows_do_not(client_logged_in, user):
    pending = ArticleFactory(user=user, title="Pending one")
    ready = ArticleFactory(user=user, title="Ready one", status="ready", excerpt="An excerpt")
    html = client_logged_in.get("/").content.decode()
    assert f'hx-get="/articles/{pending.pk}/row/"' in html
    assert f'hx-get="/articles/{ready.pk}/row/"' not in html
    assert "An excerpt" in html


def test_row_partial_and_reader(client_logged_in, user):
    article = ArticleFactory(
        user=user, title="T", status="ready", content_html="<p>Body text</p>", author="A. Writer"
    )
    assert "badge-ready" in client_logged_in.get(f"/articles/{article.pk}/row/").content.decode()
    html = client_logged_in.get(f"/articles/{article.pk}/").content.decode()
    assert "<p>Body text</p>" in html and "A. Writer" in html


def test_failed_article_shows_reason_and_retry(client_logged_in, user, django_capture_on_commit_callbacks):
    article = ArticleFactory(user=user, status="failed", failure_reason="The server answered 404 Not Found.")
    html = client_logged_in.get(f"/articles/{article.pk}/").content.decode()
    assert "404 Not Found" in html and "Retry" in html
    with django_capture_on_commit_callbacks() as callbacks:
        client_logged_in.post(f"/articles/{article.pk}/retry/")
    article.refresh_from_db()
    assert article.status == "queued" and len(callbacks) == 1


def test_other_users_articles_are_404(client_logged_in, other_user):
    theirs = ArticleFactory(user=other_user, status="ready")
    assert client_logged_in.get(f"/articles/{theirs.pk}/").status_code == 404
    assert client_logged_in.get(f"/articles/{theirs.pk}/row/").status_code == 404
    assert client_logged_in.post(f"/articles/{theirs.pk}/retry/").status_code == 404


def test_library_lists_only_own_articles(client_logged_in, user, other_user):
    ArticleFactory(user=user, title="Mine")
    ArticleFactory(user=other_user, title="Theirs")
    html = client_logged_in.get("/").content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_csp_header_has_no_inline_script(client_logged_in):
    csp = client_logged_in.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_library_query_count_does_not_grow(client_logged_in, user):
    for _ in range(5):
        ArticleFactory(user=user)
    with CaptureQueriesContext(connection) as few:
        client_logged_in.get("/")
    for _ in range(25):
        ArticleFactory(user=user)
    with CaptureQueriesContext(connection) as many:
        client_logged_in.get("/")
    assert len(many) == len(few)
    assert not any("content_html" in q["sql"] for q in many.captured_queries)


def test_not_found_page_has_folio_layout(client_logged_in):
    response = client_logged_in.get("/articles/999999/")
    assert response.status_code == 404
    assert "Back to your library" in response.content.decode()
