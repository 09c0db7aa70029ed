"""Personal API tokens: the digest, authentication and the list (reads). Creating and revoking a token are
writes: ``services.account.api_token_create`` / ``api_token_revoke``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, QuerySet
from django.utils import timezone

from .compiled import CompiledQuery
from .models import ApiToken


def token_digest(key: str) -> str:
    """Hex SHA-256 of ``key``; a 256-bit random key needs no slow hash (no dictionary to guess from)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _by_digest(digest: str) -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").filter(digest=digest).order_by()


#: The token lookup of every API request, compiled once per process (issue 20).
_TOKEN_LOOKUP = CompiledQuery(lambda digest: _by_digest(digest)[:1], str)
#: The same held back by other rows (``unless``), one per kind of rows.
_HELD_BACK_LOOKUPS: dict[Callable[..., QuerySet], CompiledQuery] = {}


def api_token_authenticate(
    key: str, *, unless: tuple[Callable[..., QuerySet], tuple, tuple] | None = None
) -> ApiToken | None:
    """The active token for ``key`` (with its user), or None. Records the time of use (at most once a
    minute per token).

    With ``unless`` = ``(build, kinds, values)`` (``build(*values)``, values of ``articles.compiled``'s
    ``kinds``: rows whose existence holds the lookup back, the recent failed attempts of the client's
    address, ``accounts.throttling.token_failures_recent``),
    the token is read only when no such row exists, in the same query (an uncorrelated ``NOT EXISTS``,
    which PostgreSQL evaluates once, before it reads the token index): one query per token request
    instead of two (issue 20). None then means "an unknown key, or ``unless`` has rows": the caller asks
    the throttle. Both queries are compiled once per process (articles.compiled).
    """
    digest = token_digest(key.strip())
    if unless is None:
        found = _TOKEN_LOOKUP.fetch(digest)
    else:
        build, kinds, values = unless
        lookup = _HELD_BACK_LOOKUPS.get(build)
        if lookup is None:
            lookup = CompiledQuery(
                lambda digest, *held: _by_digest(digest).filter(~Exists(build(*held)))[:1],
                str,
                *kinds,
            )
            _HELD_BACK_LOOKUPS[build] = lookup
        found = lookup.fetch(digest, *values)
    token = found[0] if found else None
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_list(*, user: AbstractBaseUser):
    """The user's tokens, newest first (QuerySet of ApiToken; the keys themselves are never stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
