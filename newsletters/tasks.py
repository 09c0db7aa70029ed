"""Celery tasks of the newsletters app: policy only, each body one service call. Celery beat runs
``mailboxes_poll_task`` every FOLIO_MAIL_IMAP_INTERVAL seconds (reader/settings.py, ``# --- mail ---``); it
sends one ``mailbox_poll_task`` per enabled mailbox to the import queue, away from people's saves."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services

MAILBOXES_POLL_TASK = "newsletters.tasks.mailboxes_poll_task"
MAILBOX_POLL_TASK = "newsletters.tasks.mailbox_poll_task"


@shared_task(name=MAILBOXES_POLL_TASK, ignore_result=True)
def mailboxes_poll_task() -> int:
    """Queue a poll of every enabled mailbox; returns how many."""
    ids = services.mailboxes_due()
    for mailbox_id in ids:
        mailbox_poll_task.apply_async(args=(mailbox_id,), queue=settings.FOLIO_IMPORT_QUEUE)
    return len(ids)


@shared_task(name=MAILBOX_POLL_TASK, ignore_result=True)
def mailbox_poll_task(mailbox_id: int) -> None:
    """Poll one mailbox (services.mailbox_poll: errors are stored on the mailbox, never raised)."""
    services.mailbox_poll(mailbox_id=mailbox_id)
