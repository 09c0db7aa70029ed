"""Personal API tokens: the digest, authentication and the list (reads). Creating and revoking a token are
writes: ``services.account.api_token_create`` / ``api_token_revoke``."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .models import ApiToken


def token_digest(key: str) -> str:
    """Hex SHA-256 of ``key``; a 256-bit random key needs no slow hash (no dictionary to guess from)."""
    return hashlib.sha256(key.encode()).hexdigest()


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
