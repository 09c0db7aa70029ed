"""The API's request parser. Kept apart from conventions.py because DRF imports parser classes while it
defines APIView (so this module must not import rest_framework.views)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    """413: the request body is larger than the API reads."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "page_too_large"
    default_detail = "The request is too large."


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a bound on the body it reads into memory.

    DRF reads JSON bodies without Django's DATA_UPLOAD_MAX_MEMORY_SIZE check, so without a bound one request
    could make the process read gigabytes. The bound is 6 * FOLIO_PAGE_MAX_BYTES + 1 MB: JSON may escape each
    character of the page as ``\\uXXXX`` (6 bytes); the page itself is then held to FOLIO_PAGE_MAX_BYTES by
    ``article_save_page``.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {})
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = 6 * settings.FOLIO_PAGE_MAX_BYTES + 1024 * 1024
        if length > limit:
            raise RequestTooLarge(
                f"The request is larger than the {limit // (1024 * 1024)} MB the API reads."
            )
        return super().parse(stream, media_type=media_type, parser_context=parser_context)
