"""Template context for every page: the person's reader settings (theme, font, sizes)."""

from django.http import HttpRequest

from .queries import reader_settings_for


def reader_settings(request: HttpRequest) -> dict:
    """``reader_settings``: the ReaderSettings of the logged-in user, or defaults (no query, see auth.py)."""
    return {"reader_settings": reader_settings_for(getattr(request, "user", None))}
