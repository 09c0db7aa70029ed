"""The full REST API: list (filters, cursor pagination), update, delete, refetch, tags, error bodies,
authentication (token and session with CSRF), per-user scoping and the write rate limit."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, ArticleSource, Tag
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def test_list_newest_first_without_bodies(api_client, user):
    first = ArticleFactory(user=user, title="Article 1", content_html="<p>x</p>", content_text="x")
    second = ArticleFactory(user=user, title="Article 2")
    body = api_client.get("/api/articles/").json()
    assert [a["id"] for a in body["results"]] == [second.pk, first.pk]
    assert "content_html" not in body["results"][0] and "content_text" not in body["results"][0]
    assert body["next"] is None and body["previous"] is None


def test_list_filters(api_client, user):
    archived = ArticleFactory(user=user, title="Article 1", is_archived=True)
    favorite = ArticleFactory(user=user, title="Article 2", is_favorite=True, status="ready")
    read = ArticleFactory(user=user, title="Article 3", read_at=timezone.now())
    tagged = ArticleFactory(user=user, title="Article 4")
    tagged.tags.add(TagFactory(user=user, name="Python"))

    def ids(query):
        response = api_client.get("/api/articles/" + query)
        assert response.status_code == 200, response.json()
        return {a["id"] for a in response.json()["results"]}

    assert ids("?is_archived=true") == {archived.pk}
    assert ids("?is_archived=false") == {favorite.pk, read.pk, tagged.pk}
    assert ids("?is_favorite=true") == {favorite.pk}
    assert ids("?is_read=true") == {read.pk}
    assert ids("?is_read=false&is_archived=false") == {favorite.pk, tagged.pk}
    assert ids("?tag=python") == {tagged.pk}
    assert ids("?status=ready") == {favorite.pk}


def test_list_bad_filter_is_400_with_fields(api_client):
    response = api_client.get("/api/articles/?status=sleeping&is_read=maybe")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and set(body["errors"]) == {"status", "is_read"}


def test_cursor_pagination_walks_every_article_once(api_client, user):
    created = [ArticleFactory(user=user, title=f"Article {n}").pk for n in range(7)]
    seen, url = [], "/api/articles/?page_size=3"
    while url:
        body = api_client.get(url).json()
        seen += [a["id"] for a in body["results"]]
        url = body["next"]
    assert seen == list(reversed(created))
    assert api_client.get("/api/articles/?cursor=garbage").json()["error"] == "not_found"


def test_list_is_scoped_to_the_user(api_client, user, other_user):
    ArticleFactory(user=other_user, title="Article 1")
    mine = ArticleFactory(user=user, title="Article 2")
    assert [a["id"] for a in api_client.get("/api/articles/").json()["results"]] == [mine.pk]


def test_patch_changes_only_what_is_sent(api_client, user):
    article = ArticleFactory(user=user, title="Article 1")
    article.tags.add(TagFactory(user=user, name="old"))
    response = api_client.patch(
        f"/api/articles/{article.pk}/",
        {
            "title": "New title",
            "tags": ["a", "B"],
            "is_read": True,
            "is_favorite": True,
            "progress_percent": 42.5,
            "progress_paragraph": 7,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "New title" and body["tags"] == ["B", "a"] and body["is_read"] is True
    assert body["is_favorite"] is True and body["is_archived"] is False
    assert body["progress_percent"] == 42.5 and body["progress_paragraph"] == 7
    article.refresh_from_db()
    assert article.read_at is not None and article.progress_updated_at is not None
    response = api_client.patch(
        f"/api/articles/{article.pk}/", {"is_read": False, "is_archived": True}, format="json"
    )
    assert response.json()["is_read"] is False and response.json()["is_archived"] is True
    assert response.json()["title"] == "New title"


def test_patch_rejects_out_of_range_progress(api_client, user):
    article = ArticleFactory(user=user, title="Article 1")
    response = api_client.patch(f"/api/articles/{article.pk}/", {"progress_percent": 101}, format="json")
    assert response.status_code == 400 and "progress_percent" in response.json()["errors"]


def test_delete_hides_the_article(api_client, user):
    article = ArticleFactory(user=user, title="Article 1")
    assert api_client.delete(f"/api/articles/{article.pk}/").status_code == 204
    assert api_client.get(f"/api/articles/{article.pk}/").status_code == 404
    assert api_client.get("/api/articles/").json()["results"] == []
    assert Article.objects.get(pk=article.pk).deleted_at is not None


def test_refetch_queues_again(api_client, user):
    article = ArticleFactory(
        user=user, title="Article 1", status="failed", failure_reason="The server answered 500."
    )
    response = api_client.post(f"/api/articles/{article.pk}/refetch/")
    assert response.status_code == 202 and response.json()["status"] == "queued"


def test_other_users_article_cannot_be_changed(api_client, other_user):
    theirs = ArticleFactory(user=other_user, title="Article 1")
    assert api_client.patch(f"/api/articles/{theirs.pk}/", {"title": "x"}, format="json").status_code == 404
    assert api_client.delete(f"/api/articles/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/articles/{theirs.pk}/refetch/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Article 1" and theirs.deleted_at is None


def test_create_with_html_skips_the_fetch(api_client):
    html = "<html><head><title>Sent</title></head><body><article><p>Hello</p></article></body></html>"
    response = api_client.post(
        "/api/articles/", {"url": "https://example.com/s", "html": html}, format="json"
    )
    assert response.status_code == 201
    article = Article.objects.get(pk=response.json()["id"])
    assert article.source == "browser" and ArticleSource.objects.get(article=article).html == html


def test_create_with_html_over_the_cap_is_413(api_client, settings):
    settings.FOLIO_PAGE_MAX_BYTES = 1000
    response = api_client.post(
        "/api/articles/", {"url": "https://example.com/big", "html": "x" * 1001}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["error"] == "page_too_large" and "larger than" in response.json()["detail"]
    assert not Article.objects.exists()


def test_tags_list_rename_merge_delete(api_client, user):
    a, b = ArticleFactory(user=user, title="Article 1"), ArticleFactory(user=user, title="Article 2")
    python = TagFactory(user=user, name="python")
    py = TagFactory(user=user, name="py")
    a.tags.add(python, py)
    b.tags.add(py)
    body = api_client.get("/api/tags/").json()
    assert [(t["name"], t["article_count"]) for t in body] == [("py", 2), ("python", 1)]

    renamed = api_client.patch(f"/api/tags/{py.pk}/", {"name": "  Py  lang "}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Py lang"
    itself = api_client.post(f"/api/tags/{py.pk}/merge/", {"into": py.pk}, format="json")
    assert itself.status_code == 409 and itself.json()["error"] == "conflict"

    merged = api_client.post(f"/api/tags/{py.pk}/merge/", {"into": python.pk}, format="json")
    assert merged.status_code == 200 and merged.json() == {
        **merged.json(),
        "name": "python",
        "article_count": 2,
    }
    assert not Tag.objects.filter(pk=py.pk).exists()
    assert {t.name for t in b.tags.all()} == {"python"}

    assert api_client.delete(f"/api/tags/{python.pk}/").status_code == 204
    assert api_client.get("/api/tags/").json() == [] and a.tags.count() == 0


def test_tags_of_other_users_are_404(api_client, other_user, user):
    theirs = TagFactory(user=other_user, name="secret")
    mine = TagFactory(user=user, name="mine")
    assert api_client.get(f"/api/tags/{theirs.pk}/").status_code == 404
    assert (
        api_client.post(f"/api/tags/{mine.pk}/merge/", {"into": theirs.pk}, format="json").status_code == 404
    )
    assert Tag.objects.filter(pk=theirs.pk).exists() and Tag.objects.filter(pk=mine.pk).exists()


def test_error_bodies_have_one_shape(api_client, client):
    not_found = api_client.get("/api/articles/999999/")
    assert not_found.status_code == 404 and not_found.json() == {"error": "not_found", "detail": "Not found."}
    unauth = client.get("/api/articles/")
    assert unauth.status_code == 401 and unauth.json()["error"] == "not_authenticated"
    bad_json = api_client.generic("POST", "/api/articles/", "{not json", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["error"] == "parse_error"
    form = api_client.post("/api/articles/", {"url": "https://example.com"})  # multipart: JSON only
    assert form.status_code == 415 and form.json()["error"] == "unsupported_media_type"
    missing = api_client.post("/api/articles/", {}, format="json")
    assert missing.json()["errors"]["url"] and missing.json()["detail"].startswith("url:")


def test_session_auth_needs_csrf_token(user):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/articles/").status_code == 200
    forged = browser.post("/api/articles/", {"url": "https://example.com/forged"}, format="json")
    assert forged.status_code == 403 and forged.json()["error"] == "permission_denied"
    assert not Article.objects.exists()


def test_revoked_token_stops_working(user):
    from articles.services.account import api_token_create, api_token_revoke

    token, key = api_token_create(user=user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/tags/").status_code == 200
    assert api_token_revoke(user=user, token_id=token.pk)
    assert client.get("/api/tags/").status_code == 401


def test_writes_are_rate_limited_reads_are_not(api_client, user, settings):
    settings.FOLIO_API_WRITE_RATE = "3/minute"
    article = ArticleFactory(user=user, title="Article 1")
    codes = [
        api_client.patch(f"/api/articles/{article.pk}/", {"title": "t"}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    throttled = api_client.patch(f"/api/articles/{article.pk}/", {"title": "t"}, format="json")
    assert throttled.json()["error"] == "throttled" and int(throttled["Retry-After"]) > 0
    assert all(api_client.get("/api/articles/").status_code == 200 for _ in range(5))


def test_address_whose_key_outgrows_the_column_is_400(api_client):
    """Found by schemathesis: a 2048-character address normalizes to 2049 characters (trailing "/")."""
    url = "https://" + ".".join(["a" * 63] * 32)[: 2048 - len("https://")]
    response = api_client.post("/api/articles/", {"url": url}, format="json")
    assert response.status_code == 400 and "longer than 2048" in response.json()["detail"]


def test_json_body_over_the_bound_is_413_before_reading(api_client, settings):
    settings.FOLIO_PAGE_MAX_BYTES = 100
    body = '{"url": "https://example.com/x", "html": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = api_client.generic("POST", "/api/articles/", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["error"] == "page_too_large"
    assert not Article.objects.exists()
