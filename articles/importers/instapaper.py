"""Instapaper CSV export: ``URL,Title,Selection,Folder,Timestamp[,Tags]``. Folder is ``Unread``,
``Archive``, ``Starred`` or a folder of the person's (kept as a tag); Tags, when present, is a JSON list;
Selection is the passage selected when the page was saved (kept as a highlight)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from . import HighlightItem, ImportItem, Source, notice, open_csv, parse_timestamp, split_tags


def _tags(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("["):
        try:
            parsed = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            parsed = None
        if isinstance(parsed, list):
            return [str(t).strip() for t in parsed if str(t).strip()]
    return split_tags(value)


def parse(data: Source, resume: tuple[int, int] | None = None) -> Iterator[ImportItem]:
    """Items of an Instapaper CSV, read row by row. Raises ImportFileError."""
    rows, note = open_csv(data, resume)
    if note:
        yield notice(note)
    for line, row, point in rows:
        folder = row.get("folder", "").strip()
        tags = _tags(row.get("tags", ""))
        if folder and folder.lower() not in ("unread", "archive", "starred"):
            tags.append(folder)
        selection = row.get("selection", "").strip()
        saved_at = parse_timestamp(row.get("timestamp"))
        yield ImportItem(
            url=row.get("url", "").strip(),
            line=line,
            resume=point,
            title=row.get("title", "").strip(),
            tags=tags,
            saved_at=saved_at,
            is_archived=folder.lower() == "archive",
            is_read=folder.lower() == "archive",
            is_favorite=folder.lower() == "starred",
            highlights=[HighlightItem(quote=selection, created_at=saved_at)] if selection else [],
        )
