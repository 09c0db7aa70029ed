"""The articles API: token auth, create (never fetches in the request), read, per-user scoping."""

import pytest
from django.core.management import call_command

from articles.models import ArticleSource
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_create_answers_201_queued_without_fetching(api_client, page_server):
    url = page_server.url("/seed/voz-russia-taliban.html")
    before = page_server.hits.get("/seed/voz-russia-taliban.html", 0)
    response = api_client.post("/api/articles/", {"url": url, "tags": ["world"]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued" and isinstance(body["id"], int) and body["tags"] == ["world"]
    assert page_server.hits.get("/seed/voz-russia-taliban.html", 0) == before
    assert not ArticleSource.objects.exists()


def test_create_existing_answers_200_with_same_id(api_client):
    first = api_client.post("/api/articles/", {"url": "https://example.com/a"}, format="json").json()
    again = api_client.post("/api/articles/", {"url": "https://example.com/a/"[:-1] + "#x"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first["id"]


def test_invalid_url_is_400_with_message(api_client):
    response = api_client.post("/api/articles/", {"url": "javascript:alert(1)"}, format="json")
    assert response.status_code == 400
    assert "http and https" in response.json()["detail"]


def test_token_required(client):
    assert client.post(
        "/api/articles/", {"url": "https://example.com"}, content_type="application/json"
    ).status_code in (401, 403)
    response = client.post(
        "/api/articles/",
        {"url": "https://example.com"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Token folio_wrong",
    )
    assert response.status_code == 401


def test_detail_has_every_field(api_client):
    created = api_client.post("/api/articles/", {"url": "https://example.com/a"}, format="json").json()
    body = api_client.get(f"/api/articles/{created['id']}/").json()
    for key in [
        "id",
        "url",
        "final_url",
        "canonical_url",
        "status",
        "failure_reason",
        "title",
        "author",
        "published",
        "site_name",
        "language",
        "lead_image",
        "excerpt",
        "word_count",
        "reading_time_minutes",
        "content_html",
        "content_text",
        "tags",
        "is_archived",
        "is_favorite",
        "created_at",
    ]:
        assert key in body


def test_other_users_article_is_404(api_client, other_user):
    theirs = ArticleFactory(
        user=other_user,
        url="https://example.com/x",
    )
    assert api_client.get(f"/api/articles/{theirs.pk}/").status_code == 404


def test_create_token_command_prints_working_token(user, capsys, client):
    call_command("create_token", user.username)
    key = capsys.readouterr().out.strip()
    assert key.startswith("folio_")
    response = client.get("/api/articles/999/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 404  # authenticated, no such article


def test_tokens_stored_hashed(user, api_key):
    from articles.models import ApiToken

    token = ApiToken.objects.get(user=user)
    assert api_key not in token.digest and len(token.digest) == 64


def test_create_answers_what_a_read_answers(api_client):
    """The 201 answer is the article as written (not read back, issue 20), field for field what a GET gives."""
    created = api_client.post(
        "/api/articles/", {"url": "https://example.com/same", "tags": ["b", " a "]}, format="json"
    )
    assert created.status_code == 201
    assert created.json() == api_client.get(f"/api/articles/{created.json()['id']}/").json()
    assert created.json()["tags"] == ["a", "b"]


def test_create_queries(api_client):
    """A token save of a new address: one login-throttle query (no failures recorded), one token lookup,
    and the new row is not read back after its INSERT (issue 20: counts, not timings)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.post("/api/articles/", {"url": "https://example.com/warm"}, format="json")
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.post("/api/articles/", {"url": "https://example.com/new"}, format="json")
    assert response.status_code == 201
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum("axes_accessattempt" in s for s in sqls) == 1
    assert sum('FROM "articles_apitoken"' in s for s in sqls) == 1
    insert = next(i for i, s in enumerate(sqls) if s.startswith('INSERT INTO "articles_article"'))
    assert not any(s.startswith("SELECT") and 'FROM "articles_article" ' in s for s in sqls[insert:])


@pytest.mark.django_db(transaction=True)
def test_a_token_save_of_a_new_address_is_four_statements(api_client, settings):
    """Issue 20, item 1: a token save of a new address, as a web process runs it, is four statements: the
    token lookup with the login-throttle check folded in, the duplicate check, the INSERT (no transaction
    around a lone INSERT: it commits by itself), and the person's webhook endpoints (the article.saved
    event, after the commit). No savepoint, no read-back of the row; with tags (a transaction, since the
    article and its tags are written together), no read-back of the tags either."""
    from celery import current_app
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.FOLIO_SAVE_RATE_PER_MINUTE = 0  # the save-rate check is a query of its own (test_save_rate.py)
    settings.CELERY_TASK_DEFAULT_QUEUE = queue = "folio-test-savecount-throwaway"  # no worker reads it
    try:
        api_client.post("/api/articles/", {"url": "https://example.com/warm"}, format="json")
        with CaptureQueriesContext(connection) as plain:
            response = api_client.post("/api/articles/", {"url": "https://example.com/new"}, format="json")
        assert response.status_code == 201 and response.json()["tags"] == []
        with CaptureQueriesContext(connection) as tagged:
            response = api_client.post(
                "/api/articles/", {"url": "https://example.com/tagged", "tags": ["b", "a"]}, format="json"
            )
        assert response.status_code == 201 and response.json()["tags"] == ["a", "b"]
    finally:
        with current_app.connection_for_write() as broker:
            broker.default_channel.queue_purge(queue)
    sqls = [q["sql"] for q in plain.captured_queries]
    kinds = [
        ("token" if 'FROM "articles_apitoken"' in s and "axes_accessattempt" in s else s.split()[0])
        + (
            " article"
            if 'FROM "articles_article" ' in s or s.startswith('INSERT INTO "articles_article" ')
            else ""
        )
        + (" webhooks" if "automation_webhookendpoint" in s else "")
        for s in sqls
    ]
    assert kinds == ["token", "SELECT article", "INSERT article", "SELECT webhooks"], sqls
    sqls = [q["sql"] for q in tagged.captured_queries]
    assert [s.split()[0] for s in sqls].count("BEGIN") == 1 and sqls[-2] == "COMMIT", sqls
    links = max(i for i, s in enumerate(sqls) if 'INTO "articles_article_tags"' in s)  # SQLite: OR IGNORE
    assert not any('"articles_tag"' in s for s in sqls[links:]), sqls  # the answer's tags are not read back
    assert not any("SAVEPOINT" in s for s in sqls), sqls
