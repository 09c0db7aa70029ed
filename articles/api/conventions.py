"""The API's shared conventions: JSON error bodies, cursor pagination, and the
schema generator that documents the error answers every operation can give.

Error body (every 4xx the API gives): ``{"error": "<code>", "detail": "<sentence>"}``, plus
``"errors": {"<field>": ["<message>", ...]}`` for validation errors (400, code ``invalid``).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import ArticleError, ConflictError, NotFoundError, PageTooLargeError, SaveRateExceeded

logger = logging.getLogger(__name__)

#: A lost or refused database connection (the same errors services.dbretry retries).
DB_CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _first_message(data) -> str:
    """The first human message found in DRF's nested error data."""
    if isinstance(data, dict):
        for key, value in data.items():
            message = _first_message(value)
            if message:
                return message if key in ("non_field_errors", "detail") else f"{key}: {message}"
    elif isinstance(data, list):
        for value in data:
            message = _first_message(value)
            if message:
                return message
    elif data:
        return str(data)
    return ""


def api_exception_handler(exc, context):
    """REST_FRAMEWORK's EXCEPTION_HANDLER: domain errors become 400 (404 for NotFoundError, 409 for
    ConflictError, 413 for a page over FOLIO_PAGE_MAX_BYTES) and every DRF error gets the one JSON error
    shape; a lost database connection is 503 ``unavailable`` with Retry-After. Returns None for other
    exceptions, which Django then answers as a 500 (JSON under /api/: server_error)."""
    if isinstance(exc, PageTooLargeError):
        return Response(
            {"error": "page_too_large", "detail": exc.message},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SaveRateExceeded):
        return Response(
            {"error": "throttled", "detail": exc.message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, NotFoundError):
        return Response({"error": "not_found", "detail": exc.message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ConflictError):
        return Response({"error": "conflict", "detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ArticleError):
        return Response({"error": "invalid", "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DB_CONNECTION_ERRORS):
        # The database is restarting or unreachable (issue 21.8): a JSON answer a client can retry on.
        logger.warning("API: database unavailable (%s)", exc)
        return Response(
            {"error": "unavailable", "detail": "Folio's database is unavailable for a moment. Try again."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": "invalid",
            "detail": _first_message(exc.detail) or "Invalid input.",
            "errors": exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail},
        }
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = getattr(exc, "default_code", "error")
        response.data = {"error": code, "detail": _first_message(response.data) or str(exc)}
    return response


class ArticleCursorPagination(CursorPagination):
    """Newest save first; ``?cursor=`` from the ``next``/``previous`` links, ``?page_size=`` up to 200.
    Cursor pagination keeps pages stable while articles are being saved (DRF docs, CursorPagination)."""

    ordering = ("-saved_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class FolioAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers (ErrorOutput) each operation can give, so that
    the schema is true for 4xx answers too (checked by schemathesis in tests/api/test_schema.py)."""

    def _error_codes(self) -> list[int]:
        method = self.method.upper()
        codes = [401, 403]
        has_pk = "{id}" in self.path or "{pk}" in self.path
        if method != "GET" or not has_pk:
            codes.append(400)
        if has_pk or method == "GET":
            codes.append(404)  # no such object, or an invalid cursor
        # Writes are rate-limited; any request is refused for a while after too many invalid API tokens
        # from its address (accounts.throttling).
        codes.append(429)
        if method in ("POST", "PATCH", "PUT"):
            codes.append(413)  # a body over BoundedJSONParser's bound, or a page over FOLIO_PAGE_MAX_BYTES
        if self.path.endswith("/merge/") and method == "POST":
            codes.append(409)  # a merge into itself
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        from .serializers import ErrorOutput

        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ErrorOutput, str(code), direction=direction
                )
        return responses


def page_not_found(request, exception):
    """``handler404``: a JSON error body for addresses under ``/api/`` that match no route (for example
    ``/api/articles/abc/``); Django's usual page everywhere else."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found as django_page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": "Not found."}, status=404)
    return django_page_not_found(request, exception)


def server_error(request):
    """``handler500``: a JSON error body for addresses under ``/api/`` (every API error is JSON, issue
    21.8); Django's usual page everywhere else."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as django_server_error

    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "server_error", "detail": "Folio could not answer. Try again."}, status=500
        )
    return django_server_error(request)
