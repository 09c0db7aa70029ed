"""Saves that survive a database restart (issue 21.8): a write whose connection was lost is run again on a
new connection, a few times within FOLIO_DB_RETRY_SECONDS, instead of answering 500 and losing the save.

Only a whole transaction is run again (the decorated function opens it), never a part of a transaction
that is still open; the saves it wraps are idempotent (a save of an address already saved returns the
existing article), so a commit whose answer was lost is not doubled by the retry.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The errors of a lost or refused connection (PostgreSQL restarting, a killed backend, SQLite busy).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def retry_on_connection_loss(func: Callable[..., T]) -> Callable[..., T]:
    """Decorate a function that runs one whole transaction: when it raises a CONNECTION_ERRORS error outside
    any outer transaction, the connection is closed and the function runs again after 0.25, 0.5, 1, 2 s…
    until FOLIO_DB_RETRY_SECONDS have been spent waiting; then the last error is raised."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        waited, wait = 0.0, 0.25
        while True:
            try:
                return func(*args, **kwargs)
            except CONNECTION_ERRORS as exc:
                if connection.in_atomic_block or waited + wait > settings.FOLIO_DB_RETRY_SECONDS:
                    raise
                logger.warning("%s: database connection lost (%s); trying again", func.__qualname__, exc)
                connection.close()
                time.sleep(wait)
                waited += wait
                wait *= 2

    return wrapper
