"""Newsletters by e-mail: a person's private address, their IMAP mailbox, and the messages received (one
row per person and Message-ID, so that a message delivered twice makes one article). Written only by
``newsletters.services``."""

from django.conf import settings
from django.db import models


class MailAddress(models.Model):
    """A person's private receiving address ``<token>@<FOLIO_MAIL_DOMAIN>``.

    The token is kept (the settings page shows the address, which the person gives to newsletters) and
    looked up through its SHA-256 digest, then compared in constant time (as ``compat.FeedToken``).
    Rotating replaces the row's token: the old address stops working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_address"
    )
    token = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Mail address of {self.user}"


class Mailbox(models.Model):
    """A person's IMAP mailbox, polled over TLS (IMAP4_SSL) by Celery beat.

    ``password_encrypted`` is the password encrypted with Fernet (``cryptography``) under a key derived from
    SECRET_KEY (``newsletters.secrets``); changing SECRET_KEY makes it unreadable and the poll says so.
    ``last_uid``/``uid_validity``: messages already seen (RFC 3501 §2.3.1.1).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox")
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=993)
    username = models.CharField(max_length=320)
    password_encrypted = models.TextField()
    folder = models.CharField(max_length=200, default="INBOX")
    mark_seen = models.BooleanField(default=True)
    enabled = models.BooleanField(default=True)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class ReceivedMessage(models.Model):
    """A message that became (or was refused as) an article for ``user``; ``digest`` is the SHA-256 of its
    Message-ID (or of its bytes when it has none). Unique per person: a second delivery is a duplicate."""

    class Via(models.TextChoices):
        SMTP = "smtp", "SMTP"
        IMAP = "imap", "IMAP"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    article = models.ForeignKey("articles.Article", on_delete=models.SET_NULL, null=True, related_name="+")
    via = models.CharField(max_length=4, choices=Via.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="newsletters_message_once")]

    def __str__(self) -> str:
        return f"Message {self.digest[:12]} for {self.user}"
