"""The SMTP receiver (aiosmtpd, RFC 5321): a face of the newsletters app, run as its own process by
``manage.py mail_receiver``. Meant to sit behind a real MX or relay (it speaks plain SMTP, no STARTTLS and
no AUTH: it only accepts mail for Folio's own addresses, so it is not an open relay).

- RCPT TO an address that is not a person's current ``<token>@FOLIO_MAIL_DOMAIN``: ``550 5.1.1``.
- A message over FOLIO_MAIL_MAX_BYTES: ``552`` (announced as ``SIZE`` in the EHLO answer, so a client that
  states the size with ``MAIL FROM … SIZE=`` is refused before sending it; RFC 1870).
- DATA: each recipient's copy goes through ``services.message_deliver``; ``250`` when it made (or had
  already made) an article, ``451`` when the person is over the save rate (the sender tries again later),
  ``554`` with the reason when the message cannot be read.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import close_old_connections

from . import services

logger = logging.getLogger(__name__)

#: Most recipients one message may name (RFC 5321 §4.5.3.1.8 asks servers to accept at least 100; Folio
#: addresses are one per person, so a newsletter names one).
MAX_RECIPIENTS = 100


def _recipient_id(address: str) -> int | None:
    close_old_connections()
    try:
        user = services.recipient_user(address)
        return None if user is None else user.pk
    finally:
        close_old_connections()


def _deliver(user_ids: list[int], raw: bytes) -> list[services.Delivery]:
    close_old_connections()
    try:
        users = get_user_model().objects.in_bulk(user_ids)
        return [
            services.message_deliver(user=users[pk], raw=raw, via="smtp") for pk in user_ids if pk in users
        ]
    finally:
        close_old_connections()


class FolioHandler:
    """aiosmtpd handler: recipients checked at RCPT, the message delivered at DATA."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        user_id = await sync_to_async(_recipient_id)(address)
        if user_id is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        ids = getattr(envelope, "folio_user_ids", [])
        if user_id not in ids:
            ids.append(user_id)
        envelope.folio_user_ids = ids
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if len(raw) > settings.FOLIO_MAIL_MAX_BYTES:  # aiosmtpd refuses it first; kept as a backstop
            return "552 5.3.4 Message too big"
        results = await sync_to_async(_deliver)(list(getattr(envelope, "folio_user_ids", [])), raw)
        if any(result.article is not None for result in results):
            return "250 2.0.0 Message accepted"
        if any(result.temporary for result in results):
            return "451 4.7.1 Too many saves just now; try again later"
        reason = next((result.error for result in results if result.error), "Message refused")
        reason = " ".join(reason.split())[:200]
        logger.info("Refused a message from %s: %s", envelope.mail_from, reason)
        return f"554 5.6.0 {reason}"


def smtp_factory() -> SMTP:
    """One SMTP protocol instance per connection, with Folio's size cap (FOLIO_MAIL_MAX_BYTES)."""
    return SMTP(
        FolioHandler(),
        data_size_limit=settings.FOLIO_MAIL_MAX_BYTES,
        enable_SMTPUTF8=True,
        decode_data=False,
        hostname=settings.FOLIO_MAIL_DOMAIN,
        ident="Folio",
    )


async def serve(host: str, port: int, ready: asyncio.Event | None = None) -> None:
    """Listen on ``host``:``port`` until SIGTERM or SIGINT, then close. Prints one line when listening."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(smtp_factory, host=host, port=port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bound = server.sockets[0].getsockname()
    print(  # noqa: T201 (the command's one line: tests and make run wait for it)
        f"Folio mail receiver listening on {bound[0]}:{bound[1]} for @{settings.FOLIO_MAIL_DOMAIN}",
        flush=True,
    )
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
