"""Domain events: what happened to a person's articles, for the apps that react to it (tagging rules,
webhooks) without the services knowing them.

The contract (others rely on it; change it only with them):

- ``article_event`` is a Django ``Signal`` (django.dispatch). Receivers get the keyword arguments
  ``event`` (one of ``EVENTS``), ``user_id`` (int), ``article_id`` (int) and ``highlight_id`` (int, or
  None when the event is not about a highlight); ``sender`` is ``"articles"``.
- It is sent **after the transaction that made the change commits** (``transaction.on_commit``; at once
  when no transaction is open), so a receiver always finds the committed row, and a rolled-back change
  sends nothing. A receiver that raises does not break the service that emitted (``send_robust``; the
  error is logged).
- Sent once per real change, never for a no-op:

  ===================== ============================================================================
  ``article.saved``      a new article was created (``saving._save``, ``article_save_many``); saving an
                         address already in the library again is not a new article
  ``article.ready``      processing stored the article's content (``processing.article_store_extraction``;
                         the bulk door emits it for the entries that carried their content)
  ``article.failed``     the article turned ``failed`` (``processing.article_mark_failed``, the sweep)
  ``article.archived``   archived, from not archived (``library.article_update``, ``article_archive_bulk``)
  ``article.favorited``  made a favorite, from not a favorite (``article_update``, ``article_favorite_bulk``)
  ``highlight.created``  a highlight was stored (``highlights.highlight_create``)
  ===================== ============================================================================

- Receivers must not write through the ORM themselves: they call ``articles.services`` like every face.
  A receiver whose actions emit events must not react to those in turn (the tagging rules run on
  ``article.ready`` only, and their actions never emit it).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TypeVar

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

ARTICLE_SAVED = "article.saved"
ARTICLE_READY = "article.ready"
ARTICLE_FAILED = "article.failed"
ARTICLE_ARCHIVED = "article.archived"
ARTICLE_FAVORITED = "article.favorited"
HIGHLIGHT_CREATED = "highlight.created"
#: Every event name, in the order pages list them.
EVENTS = (
    ARTICLE_SAVED,
    ARTICLE_READY,
    ARTICLE_FAILED,
    ARTICLE_ARCHIVED,
    ARTICLE_FAVORITED,
    HIGHLIGHT_CREATED,
)

#: The signal; see the module docstring for its arguments.
article_event = Signal()


def _send(event: str, user_id: int, article_id: int, highlight_id: int | None) -> None:
    for receiver, result in article_event.send_robust(
        sender="articles", event=event, user_id=user_id, article_id=article_id, highlight_id=highlight_id
    ):
        if isinstance(result, Exception):
            logger.error("%s receiver %r failed", event, receiver, exc_info=result)


def emit(event: str, *, user_id: int, article_id: int, highlight_id: int | None = None) -> None:
    """Send ``event`` about ``article_id`` (and ``highlight_id``) of ``user_id`` when the current
    transaction commits. Raises ValueError for a name not in EVENTS."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    transaction.on_commit(functools.partial(_send, event, int(user_id), int(article_id), highlight_id))


def emit_many(event: str, *, user_id: int, article_ids: Iterable[int]) -> None:
    """``emit`` for each of ``article_ids`` (a bulk write), in the given order, after the commit."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    ids = [int(i) for i in article_ids]
    if ids:
        transaction.on_commit(functools.partial(_send_many, event, int(user_id), ids))


def _send_many(event: str, user_id: int, article_ids: list[int]) -> None:
    token = _batch.set({})
    try:
        for article_id in article_ids:
            _send(event, user_id, article_id, None)
    finally:
        _batch.reset(token)


_T = TypeVar("_T")
#: The memo of the bulk emission being sent (emit_many), None outside one.
_batch: ContextVar[dict | None] = ContextVar("folio_event_batch", default=None)


def batch_memo(key: object, compute: Callable[[], _T]) -> _T:
    """``compute()``, computed once per bulk emission (``emit_many``: an import batch, a feed's new
    entries) for ``key`` and reused for the batch's other articles; computed every time outside one.

    For a receiver's question about the person that does not change within the batch ("has this person
    any enabled rule?"), so that a batch of 200 articles costs one query for it, not 200
    (tests/integration/test_import_large.py counts queries per batch)."""
    memo = _batch.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
