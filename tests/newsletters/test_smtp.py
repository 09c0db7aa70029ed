"""Real SMTP end to end: ``smtplib`` talks to ``manage.py mail_receiver`` (aiosmtpd) running as its own
process; accepted newsletters become ready articles in the real Celery worker (both engines)."""

from __future__ import annotations

import io
import smtplib
import zipfile

import pytest

from articles.models import Article
from newsletters import services
from newsletters.models import ReceivedMessage
from tests.newsletters.conftest import DOMAIN, newsletter
from tests.pageserver import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Mailchimp template</title></head><body>
<table><tr><td><a href="https://papertrail.example/issues/12?utm_source=newsletter">View this email in your browser</a></td></tr></table>
<table><tr><td>
<h1>The Weekly Folio #12</h1>
<p>Reading comes to you. This week we look at how long-form writing finds its readers when the feeds are
quiet and the inbox is loud, and why a good newsletter reads like a letter from a friend.</p>
<p>The first story follows a bookbinder in Lyon who keeps a waiting list of three years and answers every
letter by hand. She says the work is slow because the paper decides how fast it can be folded.</p>
<p>The second story is about an archive of radio plays found in a cellar, two hundred reels in all, and
the volunteers who spent a winter listening to each one before the tape could crumble.</p>
<script>alert("newsletter script")</script>
<p><a href="https://papertrail.example/unsubscribe">Unsubscribe</a></p>
</td></tr></table></body></html>"""


def _address(user) -> str:
    return services.address_of(services.address_get_or_create(user=user))


def _ready(article_id: int, timeout: float = 90) -> Article:
    wait_for(lambda: Article.objects.get(pk=article_id).status in ("ready", "failed"), timeout=timeout)
    return Article.objects.get(pk=article_id)


def _email_article(user) -> Article:
    assert wait_for(lambda: Article.objects.filter(user=user, origin="email").exists(), timeout=30)
    return Article.objects.get(user=user, origin="email")


def test_multipart_newsletter_becomes_a_ready_article(user, mail_receiver, celery_worker_process):
    to = _address(user)
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=30) as smtp:
        smtp.send_message(newsletter(to=to, html=HTML))
    article = _ready(_email_article(user).pk)
    assert article.status == "ready", (article.failure_reason, celery_worker_process.log()[-2000:])
    assert article.title == "The Weekly Folio #12"
    assert article.site_name == "Paper Trail"
    assert article.url == "https://papertrail.example/issues/12?utm_source=newsletter"
    assert article.published.isoformat() == "2026-12-01"
    assert "bookbinder in Lyon" in article.content_text and "two hundred reels" in article.content_text
    assert "alert(" not in article.content_html and "<script" not in article.content_html
    # The same Message-ID delivered again (a relay's retry): no second article.
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=30) as smtp:
        refused = smtp.send_message(newsletter(to=to, html=HTML))
    assert refused == {}
    assert Article.objects.filter(user=user).count() == 1
    assert ReceivedMessage.objects.filter(user=user).count() == 1


def test_plain_text_confirmation_without_link_is_kept_under_its_message_id(user, mail_receiver):
    to = _address(user).upper()  # mail systems may change the case of the local part
    text = (
        "Please confirm your subscription to Paper Trail <b>Weekly</b>:\n"
        "https://papertrail.example/confirm?token=abc123\n\n"
        "If you did not ask for this, ignore this message."
    )
    message = newsletter(to=to, subject="Confirm your subscription", message_id="<c-1@pt.example>", text=text)
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=30) as smtp:
        smtp.send_message(message)
    article = _ready(_email_article(user).pk)
    assert article.status == "ready", article.failure_reason
    assert article.url == "mid:c-1@pt.example"
    assert article.title == "Confirm your subscription"
    assert "https://papertrail.example/confirm?token=abc123" in article.content_text
    assert "<b>Weekly</b>" in article.content_text  # the text was escaped, not read as HTML
    assert "<b>" not in article.content_html


def test_unknown_and_rotated_addresses_are_refused_at_rcpt(user, mail_receiver):
    old = _address(user)
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.mail("hello@papertrail.example")[0] == 250
        assert smtp.rcpt(f"nobodyhere@{DOMAIN}")[0] == 550
        assert smtp.rcpt(f"{old.split('@')[0]}@other.example")[0] == 550
        assert smtp.rcpt(old)[0] == 250
        smtp.rset()
    new = services.address_of(services.address_rotate(user=user))
    assert new != old
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=30) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.send_message(newsletter(to=old, html=HTML))
        assert refused.value.recipients[old][0] == 550
        assert smtp.send_message(newsletter(to=new, html=HTML, message_id="<after-rotation@x>")) == {}
    assert _email_article(user).url.startswith("https://papertrail.example/issues/12")


def test_a_30_mb_message_is_refused(user, mail_receiver):
    to = _address(user)
    body = ("A" * 76 + "\r\n") * (30 * 1024 * 1024 // 78)
    raw = f"From: big@example.com\r\nTo: {to}\r\nSubject: Big\r\nMessage-ID: <big@x>\r\n\r\n{body}"
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=120) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("size") and int(smtp.esmtp_features["size"]) == 10 * 1024 * 1024
        # A client that states the size (RFC 1870) is refused before it sends anything.
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail("big@example.com", [to], raw)
        assert refused.value.smtp_code == 552
        # One that does not is refused after the data.
        smtp.rset()
        assert smtp.mail("big@example.com")[0] == 250
        assert smtp.rcpt(to)[0] == 250
        assert smtp.data(raw)[0] == 552
    assert not Article.objects.filter(user=user).exists()


def _zip_bomb(uncompressed: int) -> bytes:
    """A zip whose one member is ``uncompressed`` bytes of zeros (deflate: about 1,000 to 1)."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("report.txt", "w", force_zip64=True) as member,
    ):
        for _ in range(uncompressed // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_attachment_is_ignored(user, mail_receiver):
    uncompressed = 512 * 1024 * 1024
    bomb = _zip_bomb(uncompressed)
    assert len(bomb) < 2 * 1024 * 1024
    message = newsletter(to=_address(user), html=HTML, message_id="<bomb@x>")
    message.add_attachment(bomb, maintype="application", subtype="zip", filename="report.zip")
    with smtplib.SMTP("127.0.0.1", mail_receiver.port, timeout=60) as smtp:
        assert smtp.send_message(message) == {}
    article = _ready(_email_article(user).pk)
    assert article.status == "ready", article.failure_reason
    assert "bookbinder in Lyon" in article.content_text
    assert "report.zip" not in article.content_html
    # Nothing was unpacked: the receiver never held anything near the member's 512 MB.
    assert mail_receiver.peak_memory_kib() * 1024 < uncompressed // 2, mail_receiver.peak_memory_kib()
