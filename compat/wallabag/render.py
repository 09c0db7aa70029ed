"""Folio's rows as wallabag's API writes them (JMS serializer output of wallabag's Entry, Tag and
Annotation entities, src/Entity/*.php), field for field.

Mapping (issue 13): ``is_archived`` is Folio's archived flag, ``is_starred`` its favorite flag, both as
0/1 integers as wallabag sends them; ``content`` is the sanitized HTML; ``published_by`` the author line
split on commas; ``http_status`` a string (wallabag's column is a string); dates in wallabag's format
``Y-m-d\\TH:i:sO`` (``2016-09-08T11:55:58+0200``). Fields Folio does not keep are null as in a wallabag
entry without them (``origin_url``, ``archived_at``, ``starred_at``, ``headers``, ``uid``).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Highlight, Tag


def wallabag_date(value: dt.datetime | dt.date | None) -> str | None:
    """``value`` as wallabag writes dates (PHP ``Y-m-d\\TH:i:sO`` in the server's time zone), or None."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S%z")


def url_hash(url: str) -> str:
    """wallabag's ``hashed_url``: SHA-1 of the address, hex (wallabag's UrlHasher default algorithm)."""
    return hashlib.sha1(
        url.encode("utf-8"), usedforsecurity=False
    ).hexdigest()  # an identifier (as wallabag), not a secret


def tag_json(tag: Tag, *, with_count: bool = False) -> dict:
    """A tag as wallabag's Tag (``id``, ``label``, ``slug``; ``nbEntries`` in GET /api/tags)."""
    data = {"id": tag.pk, "label": tag.name, "slug": slugify(tag.name, allow_unicode=True) or str(tag.pk)}
    if with_count:
        data["nbEntries"] = getattr(tag, "article_count", 0)
    return data


def annotation_json(highlight: Highlight, user) -> dict:
    """A highlight as wallabag's Annotation (annotator.js shape): the ``ranges`` the client sent come
    back as they were sent (kept in the highlight's anchor); a highlight made in Folio's reader has
    none (``[]``)."""
    ranges = highlight.anchor.get("ranges") if isinstance(highlight.anchor, dict) else None
    return {
        "user": user.get_full_name() or user.get_username(),
        "annotator_schema_version": "v1.0",
        "id": highlight.pk,
        "text": highlight.note,
        "created_at": wallabag_date(highlight.created_at),
        "updated_at": wallabag_date(highlight.created_at),
        "quote": highlight.quote,
        "ranges": ranges if isinstance(ranges, list) else [],
    }


def entry_json(article: Article, *, full: bool = True) -> dict:
    """One article as a wallabag entry. ``full=False`` (``detail=metadata``) leaves ``content`` null.

    Expects ``article.tag_rows`` (its tags), ``article.highlight_rows`` (its highlights) and
    ``article.http_status_code`` (the fetched page's HTTP status or None), set by ``entries.with_parts``.
    """
    user = article.user
    given = article.url
    url = article.final_url or article.url
    author = article.author or ""
    status = getattr(article, "http_status_code", None)
    return {
        "is_archived": int(article.is_archived),
        "is_starred": int(article.is_favorite),
        "user_name": user.get_username(),
        "user_email": user.email,
        "user_id": user.pk,
        "tags": [tag_json(t) for t in getattr(article, "tag_rows", [])],
        "is_public": False,
        "id": article.pk,
        "uid": None,
        "title": article.title or article.url,
        "url": url,
        "hashed_url": url_hash(url),
        "origin_url": None,
        "given_url": given,
        "hashed_given_url": url_hash(given),
        "archived_at": None,
        "content": (article.content_html or "") if full else None,
        "created_at": wallabag_date(article.created_at),
        "updated_at": wallabag_date(article.updated_at),
        "published_at": wallabag_date(article.published),
        "published_by": [a.strip() for a in author.split(",") if a.strip()],
        "starred_at": None,
        "annotations": [annotation_json(h, user) for h in getattr(article, "highlight_rows", [])],
        "mimetype": "text/html",
        "language": article.language or None,
        "reading_time": article.reading_time_minutes,
        "domain_name": article.domain or None,
        "preview_picture": article.lead_image or None,
        "http_status": str(status) if status else None,
        "headers": None,
        "_links": {"self": {"href": f"/api/entries/{article.pk}"}},
    }


def api_version() -> str:
    """The wallabag version Folio's API answers as (clients compare it with their minimum, 2.1.1)."""
    return settings.FOLIO_WALLABAG_API_VERSION
