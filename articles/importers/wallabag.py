"""wallabag v2 JSON export: a list of entries with ``url``, ``title``, ``content`` (the stored article
HTML, kept instead of fetching again), ``tags``, ``is_archived``, ``is_starred``, ``created_at`` and
``annotations`` (annotator.js: ``quote``, ``text`` as the note, ``ranges`` as the anchor)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from . import HighlightItem, ImportFileError, ImportItem, Source, json_arrays, parse_timestamp


def _flag(value: object) -> bool:
    return value in (1, True, "1", "true")


def _tags(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    names = []
    for tag in value:
        name = tag.get("label") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def parse(data: Source) -> Iterator[ImportItem]:
    """Items of a wallabag export (a list of entries, or the API's ``{"_embedded": {"items": [...]}}``),
    streamed entry by entry. Raises ImportFileError."""
    found = {"": False, "_embedded.items": False}
    for position, (_, entry) in enumerate(json_arrays(data, found), start=1):
        if not isinstance(entry, dict):
            yield ImportItem(url="", line=position, error="The entry is not an object.")
            continue
        highlights = []
        for note_ in entry.get("annotations") or []:
            if isinstance(note_, dict) and isinstance(note_.get("quote"), str) and note_["quote"].strip():
                ranges = note_.get("ranges")
                highlights.append(
                    HighlightItem(
                        quote=note_["quote"].strip(),
                        note=str(note_.get("text") or "").strip(),
                        created_at=parse_timestamp(note_.get("created_at")),
                        anchor={"ranges": ranges} if isinstance(ranges, list) else {},
                    )
                )
        archived = _flag(entry.get("is_archived"))
        content = entry.get("content")
        yield ImportItem(
            url=str(entry.get("url") or "").strip(),
            line=position,
            title=str(entry.get("title") or "").strip(),
            tags=_tags(entry.get("tags")),
            saved_at=parse_timestamp(entry.get("created_at")),
            read_at=parse_timestamp(entry.get("archived_at")) if archived else None,
            is_archived=archived,
            is_read=archived,
            is_favorite=_flag(entry.get("is_starred")),
            highlights=highlights,
            content_html=content if isinstance(content, str) else "",
        )
    if not any(found.values()):
        raise ImportFileError(
            gettext_noop("This JSON file is not a wallabag export (expected a list of entries).")
        )
