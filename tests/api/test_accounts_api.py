"""The accounts API (issue 16 item 6): share links and the person's account through the same services as
the pages, scoped to the requesting person; administrators' operations answer 404 to anyone else."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ShareLink
from accounts.services import sharing
from articles.models import Article
from articles.services.account import api_token_create
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    return client


def test_create_list_read_and_revoke_a_share(api_client, user):
    article = ArticleFactory(user=user, ready=True, title="Tide tables")
    created = api_client.post(
        "/api/shares/",
        {"article": article.pk, "expires_in_days": 7, "include_highlights": True},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["article"] == article.pk and body["article_title"] == "Tide tables" and body["active"]
    assert body["expires_at"] and body["include_highlights"] is True
    assert Client().get(body["url"]).status_code == 200
    listed = api_client.get("/api/shares/").json()
    assert [row["id"] for row in listed] == [body["id"]] and "url" not in listed[0]
    assert api_client.get(f"/api/shares/{body['id']}/").json()["id"] == body["id"]
    assert api_client.delete(f"/api/shares/{body['id']}/").status_code == 204
    assert Client().get(body["url"]).status_code == 404
    assert api_client.get(f"/api/shares/{body['id']}/").status_code == 404
    assert api_client.get("/api/shares/").json() == []


def test_shares_are_scoped_to_their_owner(api_client, user, other_user):
    theirs = ArticleFactory(user=other_user, ready=True)
    refused = api_client.post("/api/shares/", {"article": theirs.pk}, format="json")
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    their_link, token = sharing.share_create(user=other_user, article_id=theirs.pk)
    assert api_client.get(f"/api/shares/{their_link.pk}/").status_code == 404
    assert api_client.delete(f"/api/shares/{their_link.pk}/").status_code == 404
    assert api_client.get("/api/shares/").json() == []
    api_client.post("/api/shares/revoke-all/", format="json")
    assert ShareLink.objects.get(pk=their_link.pk).revoked_at is None
    assert Client().get(f"/s/{token}/").status_code == 200


def test_revoke_all(api_client, user):
    for article in ArticleFactory.create_batch(3, user=user, ready=True):
        sharing.share_create(user=user, article_id=article.pk)
    assert api_client.post("/api/shares/revoke-all/", format="json").json() == {"revoked": 3}
    assert not ShareLink.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_invalid_share_input_is_400(api_client, user):
    article = ArticleFactory(user=user, ready=True)
    for body in (
        {"article": "1"},
        {"article": article.pk, "expires_in_days": 0},
        {"article": article.pk, "include_highlights": "yes"},
    ):
        answer = api_client.post("/api/shares/", body, format="json")
        assert answer.status_code == 400 and answer.json()["error"] == "invalid", body


def test_account_read_change_email_and_delete(api_client, user, other_user):
    me = api_client.get("/api/account/").json()
    assert me == {**me, "username": "reader", "is_admin": False, "two_factor": False, "has_password": True}
    assert (
        api_client.patch("/api/account/", {"email": "new@example.net"}, format="json").json()["email"]
        == "new@example.net"
    )
    assert api_client.patch("/api/account/", {"email": "not an address"}, format="json").status_code == 400
    ArticleFactory(user=user, ready=True)
    ArticleFactory(user=other_user, ready=True)
    wrong = api_client.delete("/api/account/", {"password": "nope", "confirm": "delete"}, format="json")
    assert wrong.status_code == 400 and get_user_model().objects.filter(pk=user.pk).exists()
    unconfirmed = api_client.delete("/api/account/", {"password": PASSWORD, "confirm": "ok"}, format="json")
    assert unconfirmed.status_code == 400
    assert (
        api_client.delete(
            "/api/account/", {"password": PASSWORD, "confirm": "delete"}, format="json"
        ).status_code
        == 204
    )
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert (
        not Article.objects.filter(user_id=user.pk).exists()
        and Article.objects.filter(user=other_user).count() == 1
    )
    assert api_client.get("/api/account/").status_code == 401


def test_administrators_only_operations(api_client, user, other_user):
    for method, path, body in (
        ("get", "/api/people/", None),
        ("patch", f"/api/people/{other_user.pk}/", {"is_active": False}),
        ("post", "/api/invitations/", {}),
    ):
        answer = getattr(api_client, method)(path, body, format="json")
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", path
    assert get_user_model().objects.get(pk=other_user.pk).is_active

    admin = UserFactory(username="boss", is_staff=True)
    boss = _client_for(admin)
    ArticleFactory.create_batch(2, user=user, ready=True)
    people = {row["username"]: row for row in boss.get("/api/people/").json()}
    assert people["reader"]["article_count"] == 2 and people["boss"]["is_admin"]
    assert (
        boss.patch(f"/api/people/{user.pk}/", {"is_active": False}, format="json").json()["is_active"]
        is False
    )
    assert api_client.get("/api/account/").status_code == 401  # the deactivated person's token stops
    invitation = boss.post("/api/invitations/", {"email": "x@example.com"}, format="json")
    assert invitation.status_code == 201 and "/account/invite/" in invitation.json()["url"]
    assert Client().get(invitation.json()["url"]).status_code == 200
