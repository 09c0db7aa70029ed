"""Response middleware for delivery: static files cached for a year once hashed, HTML compressed."""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

#: Content types worth compressing (text); images, archives and EPUB files are compressed already.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with hashed files (names from the manifest, e.g. ``folio.3f2a1c.css``) cached for one
    year (``max-age=31536000, public, immutable``) instead of WhiteNoise's ten: a year is the longest
    lifetime caches are asked to honour (RFC 9111 recommends no more, RFC 2616 capped Expires at a year).
    Files without a hash keep WHITENOISE_MAX_AGE."""

    FOREVER = 365 * 24 * 60 * 60


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation, "Heal The Breach" length padding, Django 4.2)
    for text responses only: HTML pages, JSON and the like. Images and downloads pass untouched. Static
    files never reach it: WhiteNoise answers them earlier with its own precompressed brotli or gzip file."""

    def process_response(self, request, response):
        """Compress ``response`` when its Content-Type is text (see COMPRESSIBLE) and the client accepts
        gzip; otherwise return it unchanged."""
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class UserLanguageMiddleware:
    """Activates the language the logged-in person chose on the reader settings page
    (``ReaderSettings.language``) for the rest of the request; with none chosen ('' = "as the browser"),
    LocaleMiddleware's choice from Accept-Language stays. Runs after AuthenticationMiddleware; the settings
    come with the user (articles.auth.FolioModelBackend joins them), so this costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        language = _chosen_language(getattr(request, "user", None))
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def _chosen_language(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return user.reader_settings.language or ""
    except ObjectDoesNotExist:  # no ReaderSettings row yet: the browser decides
        return ""
