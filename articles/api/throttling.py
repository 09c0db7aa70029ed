"""The API's rate limit on writes. Kept apart from conventions.py because DRF imports throttle classes
while it defines APIView (so this module must not import rest_framework.views)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class WriteRateThrottle(UserRateThrottle):
    """Limits each person's writes (POST, PATCH, PUT, DELETE) to FOLIO_API_WRITE_RATE, e.g. "120/minute";
    reads are not limited. Counts live in Django's default cache: the per-process LocMem cache unless
    CACHES is configured, so with N web processes the effective limit is up to N times the rate."""

    scope = "write"

    def get_rate(self) -> str | None:
        return settings.FOLIO_API_WRITE_RATE or None

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
