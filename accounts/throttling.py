"""Login throttling (issue 16 item 4, issue 21 item 4) on django-axes: failed logins are counted per user
name and per client address in the database (so every web process sees the same counts), and a user name
or an address with too many recent failures is refused for a while, with a page that says why and when to
try again (HTTP 429 with ``Retry-After``), never a 500.

The wait grows with the failures (exponential backoff, as RFC 6585 §4 and OWASP's "Blocking Brute Force
Attacks" suggest): at ``FOLIO_LOGIN_FAILURE_LIMIT`` failures of one user name the wait is
``FOLIO_LOGIN_LOCKOUT_SECONDS``; each further failure doubles it, up to ``FOLIO_LOGIN_LOCKOUT_MAX_SECONDS``.
One address gets ``FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT`` failures (across user names) before the same waits
start, so that people behind one address (a household's router) are not locked out by one person's typos.
Failures during a lockout count too (axes' default), so guessing on keeps the lock.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from articles.compiled import IPAddress

logger = logging.getLogger(__name__)


def lockout_seconds(failures: int, limit: int) -> float:
    """Seconds a user name or address with ``failures`` recent failures must wait after its latest one:
    0 below ``limit``; ``FOLIO_LOGIN_LOCKOUT_SECONDS`` at it, doubled for each failure past it, at most
    ``FOLIO_LOGIN_LOCKOUT_MAX_SECONDS``."""
    if failures < limit:
        return 0.0
    base = float(settings.FOLIO_LOGIN_LOCKOUT_SECONDS)
    cap = float(settings.FOLIO_LOGIN_LOCKOUT_MAX_SECONDS)
    return min(cap, base * 2 ** min(failures - limit, 30))


def failure_limit(_request: HttpRequest | None = None, _credentials: dict | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: failures of one user name that start the waits (``FOLIO_LOGIN_FAILURE_LIMIT``)."""
    return settings.FOLIO_LOGIN_FAILURE_LIMIT


def cool_off(_request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long axes keeps failures (the longest wait, after the latest failure)."""
    return timedelta(seconds=settings.FOLIO_LOGIN_LOCKOUT_MAX_SECONDS)


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the address of the client. ``REMOTE_ADDR``, unless that is one of
    ``FOLIO_TRUSTED_PROXIES`` (CIDR blocks): then the right-most address of ``X-Forwarded-For`` that is
    not a trusted proxy (the header's left part is whatever the client sent; MDN, X-Forwarded-For,
    "Security and privacy concerns")."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    trusted = settings.FOLIO_TRUSTED_PROXIES
    if not trusted or not address_in(remote, trusted):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not address_in(hop, trusted):
            return hop
    return remote


def address_in(address: str, networks) -> bool:
    """True when ``address`` (text) is an IP address inside one of ``networks`` (ip_network objects)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class FolioAxesHandler(AxesDatabaseHandler):
    """axes' database handler with one limit per lockout parameter and a growing wait (module docstring).

    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``: axes gives one queryset of recent
    attempts per parameter, in that order.
    """

    def _limits(self) -> list[int]:
        return [settings.FOLIO_LOGIN_FAILURE_LIMIT, settings.FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT]

    def lock_remaining(self, request: HttpRequest, credentials: dict | None = None) -> float:
        """Seconds until the user name and address of this request may try again (0: they may now).
        One query when neither has a recent failure, else one more per lockout parameter."""
        now = timezone.now()
        remaining = 0.0
        attempts_list = self.get_user_attempts(request, credentials)
        if not attempts_list:
            return remaining
        # One cheap query in the usual case (no recent failure for this name or address: every API request
        # with a token asks, issue 20); the per-parameter sums only when there is something to sum.
        if not self.recent_attempts(request, credentials, attempts_list).exists():
            return remaining
        for attempts, limit in zip(attempts_list, self._limits(), strict=False):
            row = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            if not row["failures"] or row["last"] is None:
                continue
            until = row["last"] + timedelta(seconds=lockout_seconds(row["failures"], limit))
            remaining = max(remaining, (until - now).total_seconds())
        return remaining

    def recent_attempts(
        self, request: HttpRequest, credentials: dict | None = None, attempts_list: list | None = None
    ) -> QuerySet | None:
        """The recent failed attempts of this request's user name or address (one unevaluated QuerySet of
        axes' AccessAttempt, the union of ``get_user_attempts``), or None when there is nothing to count.
        Whenever it is empty, ``lock_remaining`` is 0."""
        if attempts_list is None:
            attempts_list = self.get_user_attempts(request, credentials)
        if not attempts_list:
            return None
        anything = attempts_list[0]
        for attempts in attempts_list[1:]:
            anything = anything | attempts
        return anything

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failure count axes compares with ``AXES_FAILURE_LIMIT`` (the per-user-name limit): the user
        name's failures, or the address's scaled to that limit, whichever is nearer its own limit."""
        counts = []
        for attempts, limit in zip(
            self.get_user_attempts(request, credentials), self._limits(), strict=False
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            counts.append(math.floor(failures * settings.FOLIO_LOGIN_FAILURE_LIMIT / limit))
        return max(counts, default=0)

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        """Locked while ``lock_remaining`` is positive."""
        locked = self.lock_remaining(request, credentials) > 0
        if locked:
            logger.warning("Login refused while locked: %s", getattr(request, "axes_ip_address", "?"))
        return locked


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None):
    """``AXES_LOCKOUT_CALLABLE``: the page telling the person that logging in is paused and for how long
    (429, ``Retry-After`` in seconds, RFC 6585 §4); under ``/api/`` the API's JSON error instead."""
    from axes.handlers.proxy import AxesProxyHandler

    handler = AxesProxyHandler.get_implementation()
    seconds = handler.lock_remaining(request, credentials) if hasattr(handler, "lock_remaining") else 0
    seconds = max(1, math.ceil(seconds or settings.FOLIO_LOGIN_LOCKOUT_SECONDS))
    minutes = math.ceil(seconds / 60)
    if request.path.startswith("/api/"):
        # The API's error shape (articles.api.conventions), never an HTML page.
        response = JsonResponse(
            {"error": "throttled", "detail": f"Too many failed attempts. Try again in {seconds} seconds."},
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response
    response: HttpResponse = render(
        request,
        "accounts/locked.html",
        {"seconds": seconds, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def token_credentials(request: HttpRequest) -> dict:
    """The credentials under which failed API token attempts are counted: a per-address pseudo user name
    (``api-token@<address>``), so that one address guessing keys is slowed like a user name guessed at, and
    counts towards the address limit too, without a lock on anyone's real user name."""
    return {"username": f"api-token@{client_ip(request)}"}


def token_failure_wait(request: HttpRequest) -> float:
    """Seconds the address of ``request`` must wait before its next API token is checked (0: now)."""
    from axes.handlers.proxy import AxesProxyHandler

    if not settings.AXES_ENABLED:
        return 0.0
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    if not hasattr(handler, "lock_remaining"):
        return 0.0
    return handler.lock_remaining(request, token_credentials(request))


def token_failures_recent(request: HttpRequest) -> tuple[Callable[..., QuerySet], tuple, tuple] | None:
    """The recent failed API token attempts of the address of ``request`` as ``(build, kinds, values)``:
    ``build(*values)`` is the unevaluated QuerySet of axes' AccessAttempt rows that
    ``FolioAxesHandler.lock_remaining`` looks at first (this address's pseudo user name or the address
    itself, since the start of the cool-off window), for a caller that folds "has this address any recent
    failure?" into its own query (``articles.tokens.api_token_authenticate``: one query per token request
    instead of two, issue 20); ``kinds`` are the values' kinds for ``articles.compiled``. While it is
    empty ``token_failure_wait`` is 0; when it is not, ask ``token_failure_wait``. None when that cannot
    be folded (axes off, another handler, or lockout parameters other than Folio's user name and address):
    then ask ``token_failure_wait`` first."""
    from axes.attempts import get_cool_off_threshold
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_client_username

    if (
        not settings.AXES_ENABLED
        or list(settings.AXES_LOCKOUT_PARAMETERS) != ["username", "ip_address"]
        or settings.AXES_COOLOFF_TIME is None
    ):
        return None
    AxesProxyHandler.update_request(request)
    if not isinstance(AxesProxyHandler.get_implementation(), FolioAxesHandler):
        return None
    username = get_client_username(request, token_credentials(request))
    return (
        recent_failures,
        (str, IPAddress, datetime),
        (username, request.axes_ip_address, get_cool_off_threshold(request)),
    )


def recent_failures(username: str, address: str, since: datetime) -> QuerySet:
    """Failed attempts recorded for ``username`` or from ``address`` (text) at ``since`` or later: what
    axes' ``get_user_attempts`` selects for Folio's lockout parameters, as one QuerySet."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(
        Q(username=username, attempt_time__gte=since) | Q(ip_address=address, attempt_time__gte=since)
    )


def token_failure_record(request: HttpRequest) -> None:
    """Count a failed API token attempt from the address of ``request`` (django-axes, logged)."""
    from django.contrib.auth.signals import user_login_failed

    logger.warning("Invalid API token from %s", client_ip(request))
    user_login_failed.send(sender=__name__, credentials=token_credentials(request), request=request)
