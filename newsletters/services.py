"""Newsletters by e-mail: the one place that writes this app's rows, and the one path from a received
message to an article (``message_deliver``, used by the SMTP receiver and by IMAP polling alike), which
ends in ``articles.services.saving.article_save_page`` (extraction and sanitizing as every other save).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from articles.errors import ArticleError, ConflictError, SaveRateExceeded
from articles.models import Article
from articles.services.saving import article_save_page

from . import parsing
from .imap import ImapError, ImapSession, quote_mailbox
from .models import MailAddress, Mailbox, ReceivedMessage
from .secrets import PasswordUnreadable, decrypt, encrypt

logger = logging.getLogger(__name__)

#: Bytes of randomness in an address token: 15 bytes are 120 bits, 24 base32 characters.
TOKEN_BYTES = 15


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    """A new address token: ``secrets.token_bytes`` in lower-case base32 (RFC 4648 §6, no padding), so that
    it survives mail systems that change the case of the local part."""
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii").lower().rstrip("=")


def mail_enabled() -> bool:
    """Whether receiving by SMTP is configured (``FOLIO_MAIL_DOMAIN`` set)."""
    return bool(settings.FOLIO_MAIL_DOMAIN)


def address_of(row: MailAddress) -> str:
    """The full address ``<token>@<FOLIO_MAIL_DOMAIN>`` of ``row``."""
    return f"{row.token}@{settings.FOLIO_MAIL_DOMAIN}"


def address_get_or_create(*, user: AbstractBaseUser) -> MailAddress:
    """The person's receiving address row, made on first use."""
    row = MailAddress.objects.filter(user=user).first()
    if row is not None:
        return row
    token = _new_token()
    try:
        with transaction.atomic():
            return MailAddress.objects.create(user=user, token=token, digest=_digest(token))
    except IntegrityError:  # made at the same moment by another request
        return MailAddress.objects.get(user=user)


def address_rotate(*, user: AbstractBaseUser) -> MailAddress:
    """Give the person a new address; the old one is refused from now on (550 at RCPT time). Raises
    ConflictError when receiving by SMTP is off (FOLIO_MAIL_DOMAIN empty)."""
    if not mail_enabled():
        raise ConflictError(_("Receiving newsletters by e-mail is off on this server (FOLIO_MAIL_DOMAIN)."))
    row = address_get_or_create(user=user)
    token = _new_token()
    row.token, row.digest, row.rotated_at = token, _digest(token), timezone.now()
    row.save(update_fields=["token", "digest", "rotated_at"])
    return row


def recipient_user(address: str) -> AbstractBaseUser | None:
    """The active person whose address is ``address`` (``local@domain``; the domain must be
    FOLIO_MAIL_DOMAIN, compared without case; the local part is lower-cased), or None.

    Looked up by the token's SHA-256 digest, then the token compared in constant time."""
    domain = settings.FOLIO_MAIL_DOMAIN.lower()
    local, _at, host = (address or "").strip().strip("<>").rpartition("@")
    if not domain or not local or host.lower().rstrip(".") != domain:
        return None
    token = local.lower()
    if len(token) > 64:
        return None
    row = MailAddress.objects.select_related("user").filter(digest=_digest(token)).first()
    if row is None or not constant_time_compare(row.token, token) or not row.user.is_active:
        return None
    return row.user


# --- receiving ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """The outcome of one message for one person: ``article`` (None when refused), ``duplicate`` (the
    Message-ID was received before: nothing new was saved), ``error`` (why it was refused: text for the
    sender), ``temporary`` (the sender should try again later: SMTP 451)."""

    article: Article | None
    duplicate: bool = False
    error: str = ""
    temporary: bool = False


def message_deliver(*, user: AbstractBaseUser, raw: bytes, via: str) -> Delivery:
    """Make an article of the received message ``raw`` (its bytes, RFC 5322) for ``user``.

    The HTML part (or the plain-text part escaped into paragraphs) is saved with
    ``article_save_page(origin="email")``: the subject as title, the sender's name as site, the Date as
    published. The address is the message's "view in browser" link when it has one, else its RFC 2392
    ``mid:`` address. A Message-ID received before for this person makes nothing new (``duplicate``).
    ``via``: ``ReceivedMessage.Via`` (smtp, imap). Never raises for a bad message: the reason is in
    ``Delivery.error``.
    """
    try:
        letter = parsing.parse(raw)
    except parsing.MessageError as exc:
        return Delivery(None, error=str(exc))
    known = ReceivedMessage.objects.filter(user=user, digest=letter.digest).select_related("article").first()
    if known is not None:
        return Delivery(known.article, duplicate=True)
    metadata: dict[str, object] = {"site_name": letter.sender_name, "title": letter.subject}
    if letter.published is not None:
        metadata["published"] = letter.published
    url = letter.view_online_url or letter.mid_url
    try:
        with transaction.atomic():
            try:
                article, _created = _save(user, url, letter, metadata)
            except ArticleError:
                if url == letter.mid_url:
                    raise
                # A "view in browser" link Folio cannot use as an address (too long, say): the message's own.
                article, _created = _save(user, letter.mid_url, letter, metadata)
            ReceivedMessage.objects.create(user=user, digest=letter.digest, article=article, via=via)
    except IntegrityError:  # the same message delivered twice at the same moment: the other one saved it
        known = (
            ReceivedMessage.objects.filter(user=user, digest=letter.digest).select_related("article").first()
        )
        return Delivery(known.article if known else None, duplicate=True)
    except SaveRateExceeded as exc:
        return Delivery(None, error=str(exc), temporary=True)
    except ArticleError as exc:
        return Delivery(None, error=str(exc))
    return Delivery(article)


def _save(user, url: str, letter: parsing.Newsletter, metadata: dict[str, object]):
    return article_save_page(
        user=user,
        url=url,
        html=letter.html,
        title=letter.subject,
        origin=Article.Origin.EMAIL,
        metadata=metadata,
    )


# --- IMAP --------------------------------------------------------------------------------------------------


class MailboxError(ArticleError):
    """Mailbox settings that cannot be used; ``message`` is shown to the person (the API answers 400)."""


#: A host name (RFC 1123 labels, after IDNA) or an IPv4 address; at most 253 characters.
_HOST = re.compile(
    r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


def _printable(value: str) -> bool:
    """Whether ``value`` encodes to UTF-8 (no lone surrogates) and holds no control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(ord(c) < 32 or ord(c) == 127 for c in value)


def mailbox_of(*, user: AbstractBaseUser) -> Mailbox | None:
    """The person's IMAP mailbox settings, or None."""
    return Mailbox.objects.filter(user=user).first()


def mailbox_set(
    *,
    user: AbstractBaseUser,
    host: str,
    port: int,
    username: str,
    password: str | None = None,
    folder: str = "INBOX",
    mark_seen: bool = True,
    enabled: bool = True,
) -> Mailbox:
    """Store the person's IMAP settings (made or replaced). ``password`` None or ``""`` keeps the stored
    one (a new mailbox needs one). A change of host, user or folder starts again from the folder's first
    message (messages already received stay duplicates by Message-ID). Raises MailboxError."""
    host = (host or "").strip().lower().rstrip(".")
    username = (username or "").strip()
    folder = (folder or "").strip() or "INBOX"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    if not _HOST.fullmatch(ascii_host):
        raise MailboxError(_("Enter the mail server's host name, e.g. imap.example.com."))
    host = ascii_host
    for value in (username, password or ""):
        if not _printable(value):
            raise MailboxError(_("The user name and password cannot hold control or invalid characters."))
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise MailboxError(_("The port must be between 1 and 65535 (IMAP over TLS is 993)."))
    if not username:
        raise MailboxError(_("Enter the mailbox's user name."))
    try:
        quote_mailbox(folder)
    except ImapError as exc:
        raise MailboxError(_("The folder name must be plain ASCII, e.g. INBOX or Newsletters.")) from exc
    row = mailbox_of(user=user)
    if row is None and not password:
        raise MailboxError(_("Enter the mailbox's password."))
    if row is None:
        row = Mailbox(user=user)
    elif (row.host, row.username, row.folder, row.port) != (host, username, folder, port):
        row.uid_validity, row.last_uid = None, 0
    row.host, row.port, row.username, row.folder = host, int(port), username, folder
    row.mark_seen, row.enabled = bool(mark_seen), bool(enabled)
    if password:
        row.password_encrypted = encrypt(password)
    row.last_error = ""
    row.save()
    return row


def mailbox_delete(*, user: AbstractBaseUser) -> bool:
    """Forget the person's IMAP settings (articles already made stay). Returns whether there were any."""
    deleted, _rows = Mailbox.objects.filter(user=user).delete()
    return bool(deleted)


def mailboxes_due() -> list[int]:
    """Ids of the enabled mailboxes (each polled once per FOLIO_MAIL_IMAP_INTERVAL by beat)."""
    return list(Mailbox.objects.filter(enabled=True).order_by("id").values_list("id", flat=True))


@dataclass(frozen=True)
class PollResult:
    """One poll: ``saved`` articles made or found again, ``skipped`` messages refused (too large,
    unreadable), ``error`` why the poll stopped (empty when it finished)."""

    saved: int = 0
    skipped: int = 0
    error: str = ""


def mailbox_poll(*, mailbox_id: int) -> PollResult:
    """Read the new messages of one mailbox (at most FOLIO_MAIL_IMAP_BATCH a poll, those above
    FOLIO_MAIL_MAX_BYTES skipped) and deliver each through ``message_deliver`` (as SMTP does); mark them
    \\Seen when the person asked. The error, if any, and the time of the last success are stored on the
    mailbox for the settings page. Raises nothing for mail-server trouble."""
    row = Mailbox.objects.select_related("user").filter(pk=mailbox_id, enabled=True).first()
    if row is None:
        return PollResult()
    now = timezone.now()
    saved = skipped = 0
    try:
        password = decrypt(row.password_encrypted)
        with ImapSession(
            host=row.host,
            port=row.port,
            username=row.username,
            password=password,
            folder=row.folder,
            timeout=settings.FOLIO_MAIL_IMAP_TIMEOUT,
        ) as session:
            if session.uid_validity != row.uid_validity:  # a new folder or renumbered: from the start
                row.uid_validity, row.last_uid = session.uid_validity, 0
            for uid in session.uids_after(row.last_uid)[: settings.FOLIO_MAIL_IMAP_BATCH]:
                if session.size(uid) > settings.FOLIO_MAIL_MAX_BYTES:
                    skipped += 1
                else:
                    delivery = message_deliver(user=row.user, raw=session.fetch(uid), via="imap")
                    if delivery.temporary:  # over the save rate: this message again next time
                        break
                    if delivery.article is None:
                        skipped += 1
                    else:
                        saved += 1
                    if row.mark_seen:
                        session.mark_seen(uid)
                row.last_uid = uid
                Mailbox.objects.filter(pk=row.pk).update(uid_validity=row.uid_validity, last_uid=uid)
        error = ""
    except (ImapError, PasswordUnreadable) as exc:
        error = str(exc)
        logger.info("IMAP poll of mailbox %s failed: %s", row.pk, error)
    fields: dict[str, object] = {"last_polled_at": now, "last_error": error}
    if not error:
        fields["last_success_at"] = now
    Mailbox.objects.filter(pk=row.pk).update(uid_validity=row.uid_validity, last_uid=row.last_uid, **fields)
    return PollResult(saved=saved, skipped=skipped, error=error)
