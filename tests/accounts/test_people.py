"""People (issue 16 item 1): an administrator invites (a link that works once and expires; e-mailed through
Django's mail settings), open sign-up is off by default, everyone changes their password and e-mail and can
reset a forgotten password by e-mail, the administrators' page lists people with article counts and disk
use and deactivates one; all of it refused to others with 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import people
from articles.services.account import api_token_create
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "lantern quay 4711"


@pytest.fixture
def admin(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def _signup(client, path, username="newcomer", email="new@example.com"):
    return client.post(
        path, {"username": username, "email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_an_invitation_link_works_once(admin_client):
    response = admin_client.post("/account/invitations/new/", {"email": "friend@example.com"}, follow=True)
    link = re.search(r'id="new-invitation-url" value="([^"]+)"', response.content.decode()).group(1)
    assert (
        len(mail.outbox) == 1 and link in mail.outbox[0].body and mail.outbox[0].to == ["friend@example.com"]
    )
    path = link.split("testserver", 1)[1]
    visitor = Client()
    assert visitor.get(path).status_code == 200
    answer = _signup(visitor, path)
    assert answer.status_code == 302 and "_auth_user_id" in visitor.session
    newcomer = get_user_model().objects.get(username="newcomer")
    assert not newcomer.is_staff and newcomer.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().used_by == newcomer
    # Used: the same link is refused, to anyone.
    again = Client()
    assert again.get(path).status_code == 404
    assert _signup(again, path, username="second").status_code == 404
    assert not get_user_model().objects.filter(username="second").exists()


def test_an_expired_or_revoked_invitation_is_refused(admin):
    _invitation, token = people.invitation_create(admin=admin)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _signup(Client(), f"/account/invite/{token}/").status_code == 404
    revoked, token2 = people.invitation_create(admin=admin)
    assert people.invitation_revoke(admin=admin, invitation_id=revoked.pk)
    assert _signup(Client(), f"/account/invite/{token2}/").status_code == 404
    assert get_user_model().objects.count() == 1


def test_open_sign_up_is_off_by_default_and_works_when_on(db, settings):
    assert settings.FOLIO_OPEN_SIGNUP is False
    assert _signup(Client(), "/account/signup/").status_code == 404
    assert "Create an account" not in Client().get("/login/").content.decode()
    settings.FOLIO_OPEN_SIGNUP = True
    assert "Create an account" in Client().get("/login/").content.decode()
    assert _signup(Client(), "/account/signup/").status_code == 302
    weak = Client().post(
        "/account/signup/", {"username": "weak", "email": "", "password1": "123", "password2": "123"}
    )
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    taken = _signup(Client(), "/account/signup/", username="NEWCOMER")
    assert taken.status_code == 400 and "taken" in taken.content.decode()


def test_only_administrators_reach_the_people_pages(client_logged_in, user, other_user, admin):
    assert client_logged_in.get("/account/people/").status_code == 404
    assert client_logged_in.post("/account/invitations/new/", {"email": ""}).status_code == 404
    assert (
        client_logged_in.post(f"/account/people/{other_user.pk}/active/", {"active": "0"}).status_code == 404
    )
    invitation, _ = people.invitation_create(admin=admin)
    assert client_logged_in.post(f"/account/invitations/{invitation.pk}/revoke/").status_code == 404
    assert get_user_model().objects.get(pk=other_user.pk).is_active
    assert not Invitation.objects.get().revoked_at


def test_people_page_lists_counts_and_deactivates(admin_client, admin, user, other_user):
    ArticleFactory.create_batch(3, user=user, ready=True)
    ArticleFactory(user=user, deleted=True)
    html = admin_client.get("/account/people/").content.decode()
    row = re.search(rf'<tr id="person-{user.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "<td>3</td>" in row
    token_key = api_token_create(user=user)[1]
    reader = Client()
    reader.force_login(user)
    assert reader.get("/").status_code == 200
    admin_client.post(f"/account/people/{user.pk}/active/", {"active": "0"})
    assert not get_user_model().objects.get(pk=user.pk).is_active
    # Deactivated: the session, the API token and the password stop working.
    assert reader.get("/").status_code == 302
    assert Client().get("/api/articles/", HTTP_AUTHORIZATION=f"Token {token_key}").status_code == 401
    assert Client().post("/login/", {"username": "reader", "password": PASSWORD}).status_code == 200
    # An administrator cannot deactivate themself.
    admin_client.post(f"/account/people/{admin.pk}/active/", {"active": "0"})
    assert get_user_model().objects.get(pk=admin.pk).is_active
    admin_client.post(f"/account/people/{user.pk}/active/", {"active": "1"})
    assert Client().post("/login/", {"username": "reader", "password": PASSWORD}).status_code == 302


def test_change_password_and_email(client_logged_in, user):
    response = client_logged_in.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    client_logged_in.post("/account/email/", {"email": "moved@example.org"})
    assert get_user_model().objects.get(pk=user.pk).email == "moved@example.org"
    assert client_logged_in.get("/account/").status_code == 200


def test_forgotten_password_reset_by_email(user):
    visitor = Client()
    visitor.post("/account/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/account/password/reset/\S+)", mail.outbox[0].body).group(1)
    form = visitor.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = visitor.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().post("/login/", {"username": "reader", "password": NEW_PASSWORD}).status_code == 302
