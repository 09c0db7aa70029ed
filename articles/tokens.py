"""Personal API tokens: created with ``secrets``, stored as SHA-256 digests, shown once."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .models import ApiToken


def token_digest(key: str) -> str:
    """Hex SHA-256 of ``key``; a 256-bit random key needs no slow hash (no dictionary to guess from)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: AbstractBaseUser, name: str = "API token") -> tuple[ApiToken, str]:
    """Create a token for ``user``. Returns ``(token, key)``; the key is not stored and cannot be shown again."""
    key = "folio_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "API token", digest=token_digest(key), prefix=key[6:14]
    )
    return token, key


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token for ``key`` (with its user), or None. Records the time of use."""
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(key.strip())).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_list(*, user: AbstractBaseUser):
    """The user's tokens, newest first (QuerySet of ApiToken; the keys themselves are never stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Delete the user's token ``token_id`` so its key stops working at once. False if there is none."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)
