"""Stated metadata of a save (``Article.METADATA_FIELDS``): checked and cut to the column sizes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext

from ...errors import ArticleError
from ...limits import (
    AUTHOR_MAX_LENGTH,
    LANGUAGE_MAX_LENGTH,
    SITE_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
)
from ...models import Article


def collapse(value: object, limit: int) -> str:
    """``value`` as text with white space collapsed, cut to ``limit`` characters."""
    return " ".join(str(value).split())[:limit]


def clean_published(value: object) -> dt.date:
    """A date from a date, a datetime or an ISO 8601 string. Raises ArticleError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ArticleError(
            gettext("“%(text)s” is not a date (write it as YYYY-MM-DD).") % {"text": text[:40]}
        ) from exc


def clean_metadata(metadata: Mapping[str, object] | None) -> dict[str, object]:
    """The stated metadata to store: keys of Article.METADATA_FIELDS whose value is not None or blank,
    white space collapsed and cut to the column sizes (title 500, author 500, site name 200, language 8
    characters); ``published`` a date (from a date, a datetime or an ISO 8601 string).

    Raises ArticleError for an unknown key, a ``published`` that is not a date, or a ``lead_image`` that is
    not an http(s) address of at most 2048 characters.
    """
    if not metadata:
        return {}
    unknown = set(metadata) - set(Article.METADATA_FIELDS)
    if unknown:
        raise ArticleError(gettext("Unknown metadata: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    limits = {
        "title": TITLE_MAX_LENGTH,
        "author": AUTHOR_MAX_LENGTH,
        "site_name": SITE_NAME_MAX_LENGTH,
        "language": LANGUAGE_MAX_LENGTH,
    }
    clean: dict[str, object] = {}
    for name, value in metadata.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "published":
            clean[name] = clean_published(value)
        elif name == "lead_image":
            image = str(value).strip()
            if not image.startswith(("http://", "https://")) or len(image) > URL_MAX_LENGTH:
                raise ArticleError(gettext("The picture's address must be an http(s) address."))
            clean[name] = image
        else:
            clean[name] = collapse(value, limits[name])
    if "language" in clean:
        clean["language"] = str(clean["language"]).lower()
    return clean
