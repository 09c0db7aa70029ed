"""Process heartbeats in Redis, so that a worker on another host can tell that an article's claimant is
dead (issue 21.8): ``claimant_gone`` can check a process id only on its own host.

Every process that claims an article (``ensure_beating``, called by the claim) keeps a key
``<FOLIO_REDIS_PREFIX>:alive:<host>:<pid>`` alive with a TTL of FOLIO_WORKER_HEARTBEAT_SECONDS, refreshed
by a daemon thread every third of it. A process that dies (SIGKILL, a host that went away) stops
refreshing, and its key expires. ``alive(host, pid)`` answers True/False only when it can know: the
broker is Redis, Redis answers, and Redis itself has been up longer than the TTL (a Redis restarted without
its data has lost every key; the live processes write theirs again within a third of the TTL). Otherwise
None, and the caller falls back on the stale rule (FOLIO_STALE_AFTER).

No ORM. Without Redis (the embedded set-up: SQLite and the filesystem broker) everything runs on one host
and ``claimant_gone``'s process check is enough: nothing here does anything.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

_clients: dict[str, object] = {}
_beating_pid: int | None = None
_lock = threading.Lock()


def _redis_url() -> str:
    url = settings.CELERY_BROKER_URL or ""
    return url if url.startswith(("redis://", "rediss://")) else ""


def _client(url: str):
    import redis

    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def key(host: str, pid: int) -> str:
    """The Redis key of process ``pid`` on ``host``."""
    return f"{settings.FOLIO_REDIS_PREFIX}:alive:{host}:{pid}"


def beat(host: str | None = None, pid: int | None = None) -> bool:
    """Write the heartbeat of this process (or of ``host``/``pid``) with its TTL; False when there is no
    Redis broker or Redis did not answer."""
    url = _redis_url()
    if not url:
        return False
    ttl = max(1, int(settings.FOLIO_WORKER_HEARTBEAT_SECONDS))
    try:
        _client(url).set(key(host or socket.gethostname(), pid or os.getpid()), str(int(time.time())), ex=ttl)
    except Exception as exc:  # redis.RedisError, OSError: the broker is down; the next beat tries again
        logger.debug("Heartbeat not written: %s", exc)
        return False
    return True


def _loop(pid: int) -> None:
    period = max(0.5, settings.FOLIO_WORKER_HEARTBEAT_SECONDS / 3)
    while os.getpid() == pid:
        time.sleep(period)
        beat()


def ensure_beating() -> None:
    """Write this process's heartbeat now and keep it alive from a daemon thread (started once per
    process: a forked pool process starts its own). Does nothing without a Redis broker."""
    global _beating_pid
    pid = os.getpid()
    if _beating_pid == pid or not _redis_url():
        return
    with _lock:
        if _beating_pid == pid:
            return
        beat()
        threading.Thread(target=_loop, args=(pid,), name="folio-heartbeat", daemon=True).start()
        _beating_pid = pid


def alive(host: str, pid: int) -> bool | None:
    """Whether process ``pid`` on ``host`` keeps its heartbeat: True (its key is there), False (it is not,
    and Redis has been up for longer than FOLIO_WORKER_HEARTBEAT_SECONDS, so it would be), None (cannot
    tell: no Redis broker, Redis down, or Redis restarted less than a TTL ago)."""
    url = _redis_url()
    if not url:
        return None
    try:
        client = _client(url)
        if client.exists(key(host, pid)):
            return True
        uptime = int(client.info("server").get("uptime_in_seconds", 0))
    except Exception as exc:  # redis.RedisError, OSError
        logger.debug("Heartbeat not read: %s", exc)
        return None
    return False if uptime > settings.FOLIO_WORKER_HEARTBEAT_SECONDS else None
