"""A person's logged-in sessions (issue 16 item 1): list them and log one, or all others, out.

Sessions live in Django's database session store (``django.contrib.sessions``, the default engine), which
keeps no owner column: the list decodes the unexpired sessions and keeps those whose ``_auth_user_id`` is
the person's (fine for a household's or a team's Folio; each is a few hundred bytes). A session is named on
the page by a digest of its key, never by the key itself (the key is the log-in cookie).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.utils import timezone


@dataclass(frozen=True)
class SessionInfo:
    """One session: ``id`` (digest shown and posted back), when it expires, whether it is the asking one."""

    id: str
    expires_at: datetime
    current: bool


def _id(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:20]


def _sessions(user: AbstractBaseUser):
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY, "")) == str(user.pk):
            yield session


def session_list(*, user: AbstractBaseUser, current_key: str | None) -> list[SessionInfo]:
    """``user``'s unexpired sessions, the current one (``current_key``) first, then by expiry."""
    rows = [
        SessionInfo(id=_id(s.session_key), expires_at=s.expire_date, current=s.session_key == current_key)
        for s in _sessions(user)
    ]
    return sorted(rows, key=lambda row: (not row.current, row.expires_at))


def session_revoke(*, user: AbstractBaseUser, session_id: str, current_key: str | None) -> bool:
    """Log out ``user``'s session named ``session_id`` (not the current one: that is "Log out"). False
    if there is no such session of theirs."""
    for session in _sessions(user):
        if _id(session.session_key) == session_id and session.session_key != current_key:
            session.delete()
            return True
    return False


def sessions_revoke_others(*, user: AbstractBaseUser, current_key: str | None) -> int:
    """Log out every session of ``user`` except the current one. Returns how many."""
    keys = [s.session_key for s in _sessions(user) if s.session_key != current_key]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)
