"""IMAP polling against a real IMAP server (pymap's in-memory backend) over implicit TLS on a local port:
new messages become ready articles in the real Celery worker through the same delivery as SMTP; the
certificate is checked; the address rule of every fetch applies to the mail server (both engines)."""

from __future__ import annotations

import imaplib

import pytest

from articles.models import Article
from newsletters import services, tasks
from newsletters.models import Mailbox
from reader.envparse import parse_networks
from tests.newsletters.conftest import IMAP_PASSWORD, IMAP_USER, newsletter
from tests.newsletters.test_smtp import HTML
from tests.pageserver import wait_for

#: A plain-text issue long enough to be an article (extraction wants at least 10 words, as for any page).
LETTER = (
    "Hello again. This second issue is a short one: two links we liked this week and a note about the\n"
    "summer break, when the newsletter rests for a month while its writer walks the coast path.\n\n"
    "Thank you for reading, and see you in September."
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _folder(imap_server, name: str) -> str:
    """A new, empty folder on the server (the in-memory server lives for the module)."""
    client = imaplib.IMAP4("127.0.0.1", imap_server.plain_port)
    try:
        client.login(IMAP_USER, IMAP_PASSWORD)
        assert client.create(name)[0] == "OK"
    finally:
        client.logout()
    return name


def _mailbox(user, imap_server, folder: str, **options) -> Mailbox:
    return services.mailbox_set(
        user=user,
        host="localhost",
        port=imap_server.port,
        username=IMAP_USER,
        password=IMAP_PASSWORD,
        folder=folder,
        **options,
    )


def test_new_messages_become_ready_articles_and_are_marked_seen(
    user, imap_server, celery_worker_process, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_server.cert))
    folder = _folder(imap_server, "Newsletters")
    imap_server.append(newsletter(to="me@example.com", html=HTML).as_bytes(), folder)
    imap_server.append(
        newsletter(to="me@example.com", subject="Second", message_id="<s2@x>", text=LETTER).as_bytes(),
        folder,
    )
    mailbox = _mailbox(user, imap_server, folder)
    assert Mailbox.objects.get(pk=mailbox.pk).password_encrypted != IMAP_PASSWORD  # not kept in clear

    result = services.mailbox_poll(mailbox_id=mailbox.pk)
    assert (result.saved, result.skipped, result.error) == (2, 0, "")
    articles = {a.title: a for a in Article.objects.filter(user=user, origin="email")}
    assert set(articles) == {"The Weekly Folio #12", "Second"}
    for article in articles.values():
        assert wait_for(lambda a=article: Article.objects.get(pk=a.pk).status == "ready", timeout=90), (
            Article.objects.get(pk=article.pk).failure_reason
        )
    assert articles["The Weekly Folio #12"].url.startswith("https://papertrail.example/issues/12")
    assert articles["Second"].url == "mid:s2@x"
    assert all("Seen" in flags for flags in imap_server.flags(folder).values())
    mailbox.refresh_from_db()
    assert mailbox.last_success_at is not None and mailbox.last_error == ""

    # The next poll reads only what is new; the same Message-ID again makes nothing new.
    imap_server.append(newsletter(to="me@example.com", html=HTML).as_bytes(), folder)
    imap_server.append(
        newsletter(to="me@example.com", subject="Third", message_id="<s3@x>", text=LETTER).as_bytes(), folder
    )
    result = services.mailbox_poll(mailbox_id=mailbox.pk)
    assert (result.saved, result.error) == (2, "")
    assert Article.objects.filter(user=user).count() == 3


def test_unchecked_mark_seen_leaves_messages_unread(user, imap_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_server.cert))
    folder = _folder(imap_server, "Keep")
    imap_server.append(newsletter(to="me@example.com", html=HTML, message_id="<keep@x>").as_bytes(), folder)
    mailbox = _mailbox(user, imap_server, folder, mark_seen=False)
    assert services.mailbox_poll(mailbox_id=mailbox.pk).saved == 1
    assert all("Seen" not in flags for flags in imap_server.flags(folder).values())


def test_beat_task_polls_in_the_worker_and_an_untrusted_certificate_is_shown(
    user, imap_server, celery_worker_process
):
    # The worker does not trust the test certificate (no SSL_CERT_FILE there): the poll fails visibly.
    mailbox = _mailbox(user, imap_server, "INBOX")
    assert tasks.mailboxes_poll_task() == 1
    assert wait_for(lambda: Mailbox.objects.get(pk=mailbox.pk).last_polled_at is not None, timeout=60)
    mailbox.refresh_from_db()
    assert "untrusted TLS certificate" in mailbox.last_error and mailbox.last_success_at is None
    assert not Article.objects.filter(user=user).exists()


def test_a_private_mail_server_is_refused_unless_allowed(user, imap_server, settings, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_server.cert))
    settings.FETCH_ALLOWED_NETWORKS = parse_networks("")
    mailbox = _mailbox(user, imap_server, "INBOX")
    result = services.mailbox_poll(mailbox_id=mailbox.pk)
    assert "private, local or reserved address" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error


def test_wrong_password_and_missing_folder_are_reported(user, imap_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(imap_server.cert))
    mailbox = _mailbox(user, imap_server, "INBOX")
    services.mailbox_set(
        user=user,
        host="localhost",
        port=imap_server.port,
        username=IMAP_USER,
        password="wrong",
        folder="INBOX",
    )
    assert "refused the user name or password" in services.mailbox_poll(mailbox_id=mailbox.pk).error
    services.mailbox_set(
        user=user, host="localhost", port=imap_server.port, username=IMAP_USER, password=IMAP_PASSWORD,
        folder="Nowhere",
    )  # fmt: skip
    assert "Nowhere" in services.mailbox_poll(mailbox_id=mailbox.pk).error
