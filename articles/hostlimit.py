"""At most ``FOLIO_FETCH_PER_HOST`` fetches at a time against one host, across every worker process.

A counting semaphore per host (``host[:port]``), so that an import of a thousand links from one site, or many
workers, do not hammer that site. Two backends, chosen from the broker:

- Redis (the broker is ``redis://``): a sorted set of holders per host, taken and given back by Lua scripts
  (atomic); each entry expires after the fetch's total time plus a margin, so a worker killed with SIGKILL
  frees its slot.
- Files (the embedded set-up without Redis): ``FOLIO_DATA_DIR/hostslots/<host hash>.<n>.lock`` held with
  ``flock``; the kernel frees the lock when the holding process dies.

No ORM. ``acquire`` waits up to ``FOLIO_FETCH_HOST_WAIT`` seconds for a slot, then raises HostBusy; the task
then tries again later without counting an attempt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import time
import uuid
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.1
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
  return 1
end
return 0
"""
_clients: dict[str, object] = {}


class HostBusy(Exception):
    """Every slot for the host stayed taken for the whole wait; ``retry_after`` suggests when to try again."""

    def __init__(self, host: str, retry_after: float):
        super().__init__(host)
        self.host = host
        self.retry_after = retry_after


def _redis_url() -> str:
    url = settings.CELERY_BROKER_URL or ""
    return url if url.startswith(("redis://", "rediss://")) else ""


def _hold_seconds() -> float:
    return settings.FOLIO_FETCH_TOTAL_TIMEOUT + 30.0


def _key(host: str) -> str:
    return hashlib.sha256(host.lower().encode()).hexdigest()[:24]


def _redis_try(url: str, host: str, limit: int) -> str | None:
    import redis

    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    token = uuid.uuid4().hex
    taken = client.eval(
        _ACQUIRE,
        1,
        f"{settings.FOLIO_REDIS_PREFIX}:hostslots:{_key(host)}",
        time.time(),
        _hold_seconds(),
        limit,
        token,
    )
    return f"redis:{token}" if taken else None


def _file_try(host: str, limit: int) -> int | None:
    folder = Path(settings.DATA_DIR) / "hostslots"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(limit):
        fd = os.open(folder / f"{_key(host)}.{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return fd
    return None


def acquire(host: str, *, wait: float | None = None) -> object:
    """Take one of ``FOLIO_FETCH_PER_HOST`` slots for ``host`` (``name`` or ``name:port``); returns a token.

    Waits up to ``wait`` seconds (default ``FOLIO_FETCH_HOST_WAIT``). Raises HostBusy if no slot came free. A limit of 0
    turns the limit off (token ``None``). If Redis cannot be reached the fetch goes ahead (logged): the
    limit is politeness, not safety.
    """
    limit = settings.FOLIO_FETCH_PER_HOST
    if limit <= 0:
        return None
    url = _redis_url()
    deadline = time.monotonic() + (settings.FOLIO_FETCH_HOST_WAIT if wait is None else max(0.0, wait))
    while True:
        if url:
            try:
                token: object = _redis_try(url, host, limit)
            except Exception:
                logger.warning("Per-host fetch limit unavailable (Redis error); fetching %s anyway", host)
                return None
        else:
            token = _file_try(host, limit)
        if token is not None:
            return token
        if time.monotonic() >= deadline:
            raise HostBusy(host, retry_after=max(2.0, settings.FOLIO_FETCH_HOST_WAIT))
        time.sleep(_POLL_SECONDS)


def release(host: str, token: object) -> None:
    """Give back the slot ``token`` from ``acquire`` (no-op for ``None``); never raises."""
    if token is None:
        return
    if isinstance(token, int):
        with contextlib.suppress(OSError):
            os.close(token)  # closing the descriptor drops the flock
        return
    url = _redis_url()
    client = _clients.get(url)
    if client is not None:
        try:
            client.zrem(
                f"{settings.FOLIO_REDIS_PREFIX}:hostslots:{_key(host)}", str(token).removeprefix("redis:")
            )
        except Exception:
            logger.warning("Could not give back the fetch slot for %s; it expires on its own", host)
