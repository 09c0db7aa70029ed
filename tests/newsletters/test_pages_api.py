"""The newsletters settings section, its API, address look-up and rotation, mailbox settings, and reading
messages (no worker: the articles are checked as saved, queued)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from articles.errors import InvalidURLError
from articles.models import Article
from articles.services.saving import article_save_page
from newsletters import parsing, services
from newsletters.models import Mailbox, ReceivedMessage
from tests.newsletters.conftest import DOMAIN, newsletter

pytestmark = pytest.mark.django_db


# --- addresses ---------------------------------------------------------------------------------------------


def test_address_lookup_ignores_case_and_refuses_other_domains_and_inactive_people(user, other_user):
    address = services.address_of(services.address_get_or_create(user=user))
    token = address.split("@")[0]
    assert len(token) == 24 and address.endswith(f"@{DOMAIN}")
    assert services.recipient_user(address) == user
    assert services.recipient_user(f"<{token.upper()}@{DOMAIN.upper()}>") == user
    assert services.recipient_user(f"{token}@elsewhere.example") is None
    assert services.recipient_user(f"{token[:-1]}@{DOMAIN}") is None
    assert services.recipient_user("") is None
    assert services.address_get_or_create(user=other_user).token != token
    user.is_active = False
    user.save()
    assert services.recipient_user(address) is None


def test_rotation_from_the_settings_page_shuts_out_the_old_address(client_logged_in, user):
    old = services.address_of(services.address_get_or_create(user=user))
    page = client_logged_in.get("/settings/").content.decode()
    assert old in page and "Make a new address" in page
    response = client_logged_in.post("/settings/newsletters/address/")
    assert response.status_code == 302 and response["Location"].endswith("#newsletters-heading")
    new = services.address_of(services.address_get_or_create(user=user))
    assert new != old
    assert services.recipient_user(old) is None and services.recipient_user(new) == user
    page = client_logged_in.get("/settings/").content.decode()
    assert new in page and old not in page


def test_settings_page_says_how_to_turn_receiving_on(client_logged_in, settings):
    settings.FOLIO_MAIL_DOMAIN = ""
    page = client_logged_in.get("/settings/").content.decode()
    assert "FOLIO_MAIL_DOMAIN" in page and "mail_receiver" in page
    assert "Make a new address" not in page
    assert "Check a mailbox (IMAP)" in page
    response = client_logged_in.post("/settings/newsletters/address/", follow=True)
    assert "off on this server" in response.content.decode()


def test_rotation_needs_a_post_and_a_login(client, client_logged_in):
    assert client_logged_in.get("/settings/newsletters/address/").status_code == 405
    client.logout()
    response = client.post("/settings/newsletters/address/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- mailbox settings --------------------------------------------------------------------------------------


def test_mailbox_form_saves_and_keeps_the_password_encrypted(client_logged_in, user):
    response = client_logged_in.post(
        "/settings/newsletters/mailbox/",
        {"host": "IMAP.Example.com", "port": "993", "username": "me", "password": "s3cret!", "folder": "News",
         "mark_seen": "on", "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(user=user)
    assert (mailbox.host, mailbox.port, mailbox.folder, mailbox.mark_seen) == (
        "imap.example.com",
        993,
        "News",
        True,
    )
    assert "s3cret" not in mailbox.password_encrypted
    from newsletters.secrets import decrypt

    assert decrypt(mailbox.password_encrypted) == "s3cret!"
    page = client_logged_in.get("/settings/").content.decode()
    assert 'value="imap.example.com"' in page and "s3cret" not in page
    # Saving again without a password keeps the stored one; unticked boxes are saved as such.
    client_logged_in.post(
        "/settings/newsletters/mailbox/",
        {"host": "imap.example.com", "port": "993", "username": "me", "password": "", "folder": "News"},
    )
    mailbox.refresh_from_db()
    assert decrypt(mailbox.password_encrypted) == "s3cret!" and not mailbox.mark_seen and not mailbox.enabled


def test_mailbox_form_errors_come_back_with_what_was_typed(client_logged_in, user):
    response = client_logged_in.post(
        "/settings/newsletters/mailbox/",
        {"host": "imap.example.com", "port": "99999", "username": "me", "password": "pw", "folder": "INBOX"},
        follow=True,
    )
    page = response.content.decode()
    assert "were not saved" in page and 'value="imap.example.com"' in page
    assert "less than or equal to 65535" in page
    assert not Mailbox.objects.filter(user=user).exists()
    response = client_logged_in.post(
        "/settings/newsletters/mailbox/",
        {"host": "imap.example.com", "port": "993", "username": "me", "password": "", "folder": "INBOX"},
        follow=True,
    )
    assert "Enter the mailbox&#x27;s password." in response.content.decode()


def test_mailbox_delete_keeps_articles(client_logged_in, user):
    services.mailbox_set(user=user, host="imap.example.com", port=993, username="me", password="pw")
    message = newsletter(
        to="me@example.com", text="A letter with enough words to be read as a short article."
    )
    services.message_deliver(user=user, raw=message.as_bytes(), via="imap")
    assert client_logged_in.post("/settings/newsletters/mailbox/delete/").status_code == 302
    assert not Mailbox.objects.filter(user=user).exists()
    assert Article.objects.filter(user=user, origin="email").count() == 1


# --- API ---------------------------------------------------------------------------------------------------


def test_api_shows_and_rotates_the_address(api_client, user):
    first = api_client.get("/api/newsletters/address/").json()
    assert first["enabled"] is True and first["address"].endswith(f"@{DOMAIN}")
    assert api_client.get("/api/newsletters/address/").json()["address"] == first["address"]
    rotated = api_client.post("/api/newsletters/address/rotate/").json()
    assert rotated["address"] != first["address"] and rotated["rotated_at"]
    assert services.recipient_user(first["address"]) is None
    assert services.recipient_user(rotated["address"]) == user


def test_api_address_when_receiving_is_off(api_client, settings):
    settings.FOLIO_MAIL_DOMAIN = ""
    assert api_client.get("/api/newsletters/address/").json() == {
        "enabled": False,
        "address": None,
        "created_at": None,
        "rotated_at": None,
    }
    response = api_client.post("/api/newsletters/address/rotate/")
    assert response.status_code == 409 and response.json()["error"] == "conflict"


def test_api_mailbox_is_per_person_and_never_shows_the_password(api_client, user, other_user):
    assert api_client.get("/api/newsletters/mailbox/").status_code == 404
    services.mailbox_set(user=other_user, host="imap.other.example", port=993, username="them", password="x")
    assert api_client.get("/api/newsletters/mailbox/").status_code == 404
    body = {"host": "imap.example.com", "username": "me@example.com", "password": "pw", "folder": "Letters"}
    response = api_client.put("/api/newsletters/mailbox/", body, format="json")
    assert response.status_code == 200, response.json()
    shown = api_client.get("/api/newsletters/mailbox/").json()
    assert shown["host"] == "imap.example.com" and shown["port"] == 993 and shown["folder"] == "Letters"
    assert "password" not in shown and "password_encrypted" not in shown
    no_password = {k: v for k, v in body.items() if k != "password"}
    assert api_client.put("/api/newsletters/mailbox/", no_password, format="json").status_code == 200
    from newsletters.secrets import decrypt

    assert decrypt(Mailbox.objects.get(user=user).password_encrypted) == "pw"
    bad = api_client.put("/api/newsletters/mailbox/", {**body, "port": "993"}, format="json")
    assert bad.status_code == 400 and "port" in bad.json()["errors"]
    bad = api_client.put("/api/newsletters/mailbox/", {**body, "host": "imap.example.com/x"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    bad = api_client.put("/api/newsletters/mailbox/", {**body, "folder": "Boîte"}, format="json")
    assert bad.status_code == 400
    lone_surrogates = '{"host": "\\u0007e\\ud88f", "username": "me"}'  # valid JSON, not valid UTF-8 text
    bad = api_client.put("/api/newsletters/mailbox/", lone_surrogates, content_type="application/json")
    assert bad.status_code == 400
    assert api_client.delete("/api/newsletters/mailbox/").status_code == 204
    assert api_client.delete("/api/newsletters/mailbox/").status_code == 404
    assert Mailbox.objects.filter(user=other_user).exists()


def test_openapi_schema_documents_the_newsletter_api(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/api/newsletters/address/",
        "/api/newsletters/address/rotate/",
        "/api/newsletters/mailbox/",
    ):
        assert path in text


# --- reading messages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "language"),
    [
        ("View this email in your browser", "en"),
        ("Diese E-Mail im Browser ansehen", "de"),
        ("Voir la version en ligne", "fr"),
        ("Ver este correo en el navegador", "es"),
        ("Visualizza nel browser", "it"),
        ("Diese Ausgabe online lesen", "de-2"),
        ("Lire cette lettre sur le web", "fr-2"),
        ("Problemas para verlo? Ábralo en su navegador", "es-2"),
    ],
)
def test_view_in_browser_link_in_several_languages(label, language):
    html = (
        f"<html><body><p><a href='https://letters.example/{language}/unsubscribe'>x</a></p>"
        f"<p><a href='https://letters.example/{language}/issue-4'>{label}</a></p><p>Text</p></body></html>"
    )
    assert parsing.view_online_link_html(html) == f"https://letters.example/{language}/issue-4"


def test_no_view_in_browser_link_gives_nothing():
    html = "<html><body><a href='https://x.example/'>Read our blog</a><a href='mailto:a@b'>view online</a></body></html>"
    assert parsing.view_online_link_html(html) == ""


def test_message_without_a_body_is_refused_and_loses_nothing(user):
    message = EmailMessage()
    message["Subject"] = "Only a file"
    message["Message-ID"] = "<file@x>"
    message.add_attachment(b"\x00" * 10, maintype="application", subtype="octet-stream", filename="a.bin")
    delivery = services.message_deliver(user=user, raw=message.as_bytes(), via="smtp")
    assert delivery.article is None and "no text or HTML part" in delivery.error
    assert not Article.objects.filter(user=user).exists()
    assert not ReceivedMessage.objects.filter(user=user).exists()


def test_message_without_message_id_is_kept_under_a_digest_address(user):
    message = newsletter(to="x@y", text="A short letter with enough words to make an article of it.")
    del message["Message-ID"]
    delivery = services.message_deliver(user=user, raw=message.as_bytes(), via="smtp")
    assert delivery.article.url.startswith("mid:") and delivery.article.url.endswith("@folio.invalid")
    again = services.message_deliver(user=user, raw=message.as_bytes(), via="smtp")
    assert again.duplicate and again.article.pk == delivery.article.pk


def test_mid_addresses_open_only_the_email_door(user):
    with pytest.raises(InvalidURLError):
        article_save_page(user=user, url="mid:a@b", html="<p>x</p>", origin="api")
    with pytest.raises(InvalidURLError):
        article_save_page(user=user, url="mid:", html="<p>x</p>", origin="email")
    article, created = article_save_page(user=user, url="mid:a@b", html="<p>x</p>", origin="email")
    assert created and article.url == article.url_key == "mid:a@b"


def test_an_article_kept_under_its_message_id_opens_in_the_reader_and_library(client_logged_in, user):
    message = newsletter(to="x@y", text="A short letter with enough words to make an article of it.")
    delivery = services.message_deliver(user=user, raw=message.as_bytes(), via="smtp")
    assert delivery.article.url == "mid:issue-12@papertrail.example"
    assert client_logged_in.get(f"/articles/{delivery.article.pk}/").status_code == 200
    library = client_logged_in.get("/").content.decode()
    assert "The Weekly Folio #12" in library
