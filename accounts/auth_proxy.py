"""Log-in by a trusted authenticating proxy (issue 16 item 2): when ``FOLIO_AUTH_PROXY_HEADER`` is set
(for example ``Remote-User`` from Authelia or authentik, or ``X-Forwarded-User`` from oauth2-proxy), a
request that comes *from one of* ``FOLIO_TRUSTED_PROXIES`` and carries that header is logged in as the user
it names (created on first sight unless ``FOLIO_AUTH_PROXY_CREATE_USERS=false``). The header is ignored
from any other address, so a client cannot name itself; the proxy must set or remove it on every request
(Django docs, "How to authenticate using REMOTE_USER", and its warning about header spoofing).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import RemoteUserBackend

from .services import people
from .throttling import address_in

logger = logging.getLogger(__name__)


def _meta_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


class AuthProxyMiddleware:
    """After AuthenticationMiddleware: logs the request in as the trusted proxy's user (module docstring).
    Does nothing while ``FOLIO_AUTH_PROXY_HEADER`` is empty."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = settings.FOLIO_AUTH_PROXY_HEADER
        if header:
            self._log_in(request, header)
        return self.get_response(request)

    def _log_in(self, request, header: str) -> None:
        name = request.META.get(_meta_key(header), "").strip()
        if not name:
            return
        remote = request.META.get("REMOTE_ADDR", "")
        if not address_in(remote, settings.FOLIO_TRUSTED_PROXIES):
            logger.warning("Ignored %s header from %s, which is not a trusted proxy", header, remote)
            return
        if request.user.is_authenticated:
            if request.user.get_username() == name:
                return
            auth.logout(request)
        user = auth.authenticate(request, remote_user=name)
        if user is not None:
            request.user = user
            auth.login(request, user)


class FolioRemoteUserBackend(RemoteUserBackend):
    """The backend the proxy log-in authenticates with; answers None unless a proxy header is configured,
    and creates people (with no usable password) through ``people.proxy_user_get_or_create``."""

    def authenticate(self, request, remote_user=None):
        if not remote_user or not settings.FOLIO_AUTH_PROXY_HEADER:
            return None
        user = people.proxy_user_get_or_create(username=self.clean_username(remote_user))
        return user if user is not None and self.user_can_authenticate(user) else None
