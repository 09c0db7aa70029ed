"""The IMAP password at rest: encrypted with Fernet (``cryptography``: AES-128-CBC + HMAC-SHA256) under a
key derived from SECRET_KEY with Django's ``salted_hmac`` (HMAC-SHA256, its own salt). Whoever has the
database and SECRET_KEY can read it; the database alone cannot. Pure: no models."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac

_SALT = "newsletters.mailbox-password"


class PasswordUnreadable(Exception):
    """The stored password cannot be decrypted (SECRET_KEY changed since it was stored)."""


def _fernet() -> Fernet:
    key = salted_hmac(_SALT, "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(password: str) -> str:
    """``password`` encrypted, as an ASCII Fernet token."""
    return _fernet().encrypt(password.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The password in ``token`` (from encrypt). Raises PasswordUnreadable."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise PasswordUnreadable("The stored password cannot be read; enter it again.") from exc
