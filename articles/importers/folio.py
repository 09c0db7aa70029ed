"""Folio's own JSON export (``{"folio_export": 1, "articles": [...]}``, written by
``services.exporting.export_json``): everything Folio keeps, so an export imports back without loss."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from . import HighlightItem, ImportFileError, ImportItem, Source, json_arrays, parse_timestamp


def parse(data: Source) -> Iterator[ImportItem]:
    """Items of a Folio export, streamed article by article. Raises ImportFileError."""
    found = {"articles": False}
    for position, (_, entry) in enumerate(json_arrays(data, found), start=1):
        if not isinstance(entry, dict):
            yield ImportItem(url="", line=position, error="The entry is not an object.")
            continue
        highlights = [
            HighlightItem(
                quote=str(h.get("quote") or ""),
                note=str(h.get("note") or ""),
                created_at=parse_timestamp(h.get("created_at")),
                anchor=h.get("anchor") if isinstance(h.get("anchor"), dict) else {},
            )
            for h in entry.get("highlights") or []
            if isinstance(h, dict) and str(h.get("quote") or "").strip()
        ]
        read_at = parse_timestamp(entry.get("read_at"))
        extra = {
            key: entry[key]
            for key in (
                "author",
                "site_name",
                "excerpt",
                "language",
                "published",
                "lead_image",
                "progress_percent",
                "content_text",
                "final_url",
                "canonical_url",
                "note",
            )
            if entry.get(key) not in (None, "")
        }
        yield ImportItem(
            url=str(entry.get("url") or "").strip(),
            line=position,
            title=str(entry.get("title") or "").strip(),
            tags=[str(t) for t in entry.get("tags") or [] if isinstance(t, str)],
            saved_at=parse_timestamp(entry.get("saved_at")),
            read_at=read_at,
            is_read=read_at is not None,
            is_archived=bool(entry.get("is_archived")),
            is_favorite=bool(entry.get("is_favorite")),
            highlights=highlights,
            content_html=str(entry.get("content_html") or "") if entry.get("status") == "ready" else "",
            extra=extra,
        )
    if not found["articles"]:
        raise ImportFileError(gettext_noop("This JSON file is not a Folio export (no list of articles)."))
