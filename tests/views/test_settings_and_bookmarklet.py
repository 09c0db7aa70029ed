"""The settings page (bookmarklet, send-the-page option, API tokens) and the bookmarklet's save endpoints:
what a GET shows, what a POST saves, CSRF, the size cap, and the confirmation."""

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from articles.models import ApiToken, Article, ArticleSource, ReaderSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PAGE = (
    "<html><head><title>Sent page</title></head><body><article><h1>Sent page</h1>"
    + "<p>A paragraph the browser had on screen after the scripts ran.</p>" * 5
    + "</article></body></html>"
)


def test_settings_needs_login(client):
    response = client.get("/settings/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_settings_page_offers_the_bookmarklet_with_this_folio_origin(client_logged_in, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "folio.example.com"]
    response = client_logged_in.get("/settings/", HTTP_HOST="folio.example.com:8443")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="bookmarklet" href="javascript:' in html
    href = response.context["bookmarklet_href"]
    code = unquote(href.removeprefix("javascript:"))
    assert '"http://folio.example.com:8443"' in code and "/save/popup/" in code
    assert "postMessage" in code and "outerHTML" in code
    assert response.context["bookmarklet_code"].startswith("javascript:(function(){")
    assert "On a phone or tablet" in html


def test_bookmarklet_holds_no_secret(client_logged_in, user):
    from articles.services.account import api_token_create

    _token, key = api_token_create(user=user)
    response = client_logged_in.get("/settings/")
    code = response.context["bookmarklet_code"]
    assert key not in code and client_logged_in.cookies["sessionid"].value not in code
    assert "csrf" not in code.lower()


def test_send_page_toggle(client_logged_in, user):
    response = client_logged_in.post("/settings/saving/", {})
    assert response.status_code == 302
    assert ReaderSettings.objects.get(user=user).send_page_html is False
    client_logged_in.post("/settings/saving/", {"send_page_html": "on"})
    assert ReaderSettings.objects.get(user=user).send_page_html is True


def test_token_created_shown_once_listed_and_revoked(client_logged_in, user, client):
    response = client_logged_in.post("/settings/tokens/", {"name": "Phone"}, follow=True)
    key = response.context["new_token"]["key"]
    assert key in response.content.decode() and key.startswith("folio_")
    token = ApiToken.objects.get(user=user, name="Phone")
    assert token.digest != key and key not in token.digest
    again = client_logged_in.get("/settings/").content.decode()
    assert key not in again and "Phone" in again and token.prefix in again
    assert Client().get("/api/tags/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client_logged_in.post(f"/settings/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert Client().get("/api/tags/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_cannot_revoke_someone_elses_token(client_logged_in, other_user):
    from articles.services.account import api_token_create

    theirs, _key = api_token_create(user=other_user)
    client_logged_in.post(f"/settings/tokens/{theirs.pk}/revoke/")
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_popup_get_shows_the_form_and_saves_nothing(client_logged_in):
    response = client_logged_in.get("/save/popup/", {"url": "https://example.com/a", "title": "A"})
    assert response.status_code == 200
    assert response.context["form"].initial["url"] == "https://example.com/a"
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"  # the opener can hand the page over
    assert response["X-Frame-Options"] == "DENY"
    assert 'data-send-html="true"' in response.content.decode()
    assert not Article.objects.exists()
    assert client_logged_in.get("/save/", {"url": "https://example.com/a"}).status_code == 405


def test_post_with_page_html_stores_it_without_fetching(client_logged_in, user):
    upload = SimpleUploadedFile("page.html", PAGE.encode(), content_type="text/html")
    response = client_logged_in.post(
        "/save/", {"url": "https://example.com/sent", "title": "Sent page", "tags": "a, b", "html": upload}
    )
    article = Article.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/save/{article.pk}/"
    assert (
        article.source == "browser"
        and article.status == "queued"
        and article.url == "https://example.com/sent"
    )
    assert ArticleSource.objects.get(article=article).html == PAGE
    done = client_logged_in.get(response["Location"])
    assert done["Cross-Origin-Opener-Policy"] == "unsafe-none"
    html = done.content.decode()
    assert "Sent page" in html and f"/articles/{article.pk}/" in html and "Saved to Folio." in html
    assert sorted(t.name for t in article.tags.all()) == ["a", "b"]


def test_post_ignores_page_html_when_sending_is_off(client_logged_in, user):
    ReaderSettings.objects.create(user=user, send_page_html=False)
    upload = SimpleUploadedFile("page.html", PAGE.encode(), content_type="text/html")
    client_logged_in.post("/save/", {"url": "https://example.com/sent", "html": upload})
    article = Article.objects.get(user=user)
    assert article.source == "fetch" and not ArticleSource.objects.filter(article=article).exists()


def test_page_over_the_cap_is_refused_with_a_message(client_logged_in, settings):
    settings.FOLIO_PAGE_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile("page.html", b"x" * (2 * 1024 * 1024 + 1), content_type="text/html")
    response = client_logged_in.post("/save/", {"url": "https://example.com/big", "html": upload})
    assert response.status_code == 413
    assert "larger than the 2 MB Folio accepts" in response.content.decode()
    assert not Article.objects.exists()


def test_invalid_address_is_shown_again(client_logged_in):
    response = client_logged_in.post("/save/", {"url": "javascript:alert(1)"})
    assert response.status_code == 400 and "http and https" in response.content.decode()
    assert not Article.objects.exists()


def test_forged_post_without_csrf_token_saves_nothing(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(
        "/save/", {"url": "https://example.com/forged"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_same_origin_post_with_csrf_token_saves(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    popup = browser.get("/save/popup/?url=https://example.com/ok")
    token = popup.context["csrf_token"]
    response = browser.post("/save/", {"url": "https://example.com/ok", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302 and Article.objects.filter(url="https://example.com/ok").exists()


def test_confirmation_adds_tags_and_is_private(client_logged_in, user, other_user):
    mine = ArticleFactory(
        user=user,
        url="https://example.com/m",
    )
    response = client_logged_in.post(f"/save/{mine.pk}/", {"tags": "later, read"}, follow=True)
    assert sorted(t.name for t in mine.tags.all()) == ["later", "read"]
    assert "later" in response.content.decode()
    theirs = ArticleFactory(
        user=other_user,
        url="https://example.com/t",
    )
    assert client_logged_in.get(f"/save/{theirs.pk}/").status_code == 404
    assert client_logged_in.post(f"/save/{theirs.pk}/", {"tags": "x"}).status_code == 404
    assert theirs.tags.count() == 0


def test_popup_requires_login(client):
    response = client.get("/save/popup/?url=https://example.com/a")
    assert response.status_code == 302 and "/login/" in response["Location"]
