"""Issue 17 item 4: highlights in the REST API (list with filters, create, retrieve, update, delete),
scoped per person (another person's highlight or article answers 404 and is left untouched), and the note
on an article through the article endpoints."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from articles.models import Highlight
from articles.services.account import api_token_create
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other_client(other_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=other_user)[1]}")
    return client


def test_crud_through_the_api(api_client, user):
    article = ArticleFactory(user=user, ready=True, title="On bees")
    created = api_client.post(
        f"/api/articles/{article.pk}/highlights/",
        {
            "quote": "  Bees   dance  ",
            "note": "waggle",
            "color": "green",
            "anchor": {"start": 4, "prefix": "x"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["quote"] == "Bees dance" and body["note"] == "waggle" and body["color"] == "green"
    assert body["article"] == article.pk and body["article_title"] == "On bees"
    assert body["anchor"] == {"start": 4, "prefix": "x"}
    pk = body["id"]
    assert api_client.get(f"/api/highlights/{pk}/").json()["quote"] == "Bees dance"
    changed = api_client.patch(f"/api/highlights/{pk}/", {"color": "pink", "note": ""}, format="json")
    assert changed.status_code == 200 and changed.json()["color"] == "pink" and changed.json()["note"] == ""
    assert changed.json()["quote"] == "Bees dance"  # not sent: unchanged
    listed = api_client.get(f"/api/articles/{article.pk}/highlights/").json()
    assert [h["id"] for h in listed["results"]] == [pk]
    assert api_client.delete(f"/api/highlights/{pk}/").status_code == 204
    assert not Highlight.objects.filter(pk=pk).exists()
    assert api_client.get(f"/api/highlights/{pk}/").status_code == 404


def test_bad_input_is_400_and_changes_nothing(api_client, user):
    highlight = HighlightFactory(article=ArticleFactory(user=user, ready=True), quote="kept")
    url = f"/api/articles/{highlight.article_id}/highlights/"
    assert api_client.post(url, {"quote": "   "}, format="json").status_code == 400
    assert api_client.post(url, {"quote": "x", "color": "purple"}, format="json").status_code == 400
    assert api_client.post(url, {"quote": 12}, format="json").status_code == 400
    assert (
        api_client.post(url, {"quote": "x", "anchor": {"big": "y" * 20_000}}, format="json").status_code
        == 400
    )
    # Text PostgreSQL cannot store in an anchor (a NUL, a lone surrogate), sent as raw JSON.
    for anchor in ('{"\\u0000key": 1}', '{"prefix": "a\\u0000b"}', '{"k": "\\ud87b"}'):
        body = '{"quote": "x", "anchor": ' + anchor + "}"
        assert api_client.post(url, body, content_type="application/json").status_code == 400, anchor
    bad = api_client.patch(f"/api/highlights/{highlight.pk}/", {"quote": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    highlight.refresh_from_db()
    assert highlight.quote == "kept" and Highlight.objects.count() == 1


def test_another_persons_highlight_and_article_are_404(api_client, other_client, user, other_user):
    mine = HighlightFactory(article=ArticleFactory(user=user, ready=True), quote="mine")
    theirs_article = ArticleFactory(user=other_user, ready=True)
    theirs = HighlightFactory(article=theirs_article, quote="theirs")
    assert api_client.get(f"/api/highlights/{theirs.pk}/").status_code == 404
    assert api_client.patch(f"/api/highlights/{theirs.pk}/", {"note": "x"}, format="json").status_code == 404
    assert api_client.delete(f"/api/highlights/{theirs.pk}/").status_code == 404
    assert api_client.get(f"/api/articles/{theirs_article.pk}/highlights/").status_code == 404
    assert (
        api_client.post(
            f"/api/articles/{theirs_article.pk}/highlights/", {"quote": "sneaky"}, format="json"
        ).status_code
        == 404
    )
    assert api_client.get("/api/highlights/", {"article": theirs_article.pk}).status_code == 404
    assert [h["id"] for h in api_client.get("/api/highlights/").json()["results"]] == [mine.pk]
    assert [h["id"] for h in other_client.get("/api/highlights/").json()["results"]] == [theirs.pk]
    theirs.refresh_from_db()
    assert theirs.note == "" and Highlight.objects.filter(article=theirs_article).count() == 1


def test_list_filters_and_pages(api_client, user):
    science = ArticleFactory(user=user, ready=True, title="Physics", tags=["science"])
    other = ArticleFactory(user=user, ready=True, title="Cooking")
    a = HighlightFactory(article=science, quote="Quantum leap", color="blue")
    b = HighlightFactory(article=science, quote="Classical limit")
    c = HighlightFactory(article=other, quote="Quantum soup", color="blue")

    def ids(**params):
        response = api_client.get("/api/highlights/", params)
        assert response.status_code == 200, response.json()
        return [h["id"] for h in response.json()["results"]]

    assert ids() == [c.pk, b.pk, a.pk]
    assert ids(color="blue") == [c.pk, a.pk]
    assert ids(tag="science") == [b.pk, a.pk]
    assert ids(q="quantum -soup") == [a.pk]
    assert ids(article=other.pk) == [c.pk]
    assert api_client.get("/api/highlights/", {"color": "purple"}).status_code == 400
    first = api_client.get("/api/highlights/", {"page_size": 2}).json()
    assert [h["id"] for h in first["results"]] == [c.pk, b.pk] and first["next"]
    second = api_client.get(first["next"]).json()
    assert [h["id"] for h in second["results"]] == [a.pk] and second["next"] is None


def test_article_note_through_the_article_endpoints(api_client, other_client, user):
    article = ArticleFactory(user=user, ready=True)
    response = api_client.patch(f"/api/articles/{article.pk}/", {"note": " my thoughts "}, format="json")
    assert response.status_code == 200 and response.json()["note"] == "my thoughts"
    assert response.json()["note_updated_at"]
    assert api_client.get(f"/api/articles/{article.pk}/").json()["note"] == "my thoughts"
    assert api_client.get("/api/articles/").json()["results"][0]["note"] == "my thoughts"
    too_long = api_client.patch(f"/api/articles/{article.pk}/", {"note": "x" * 10_001}, format="json")
    assert too_long.status_code == 400
    assert (
        other_client.patch(f"/api/articles/{article.pk}/", {"note": "hacked"}, format="json").status_code
        == 404
    )
    article.refresh_from_db()
    assert article.note == "my thoughts"


def test_needs_authentication():
    assert APIClient().get("/api/highlights/").status_code in (401, 403)
