"""Readwise Reader CSV export: ``Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen``.
Document tags is a Python-style list (``['a', 'b']``); Location is ``new``, ``later``, ``shortlist``
(kept as favorite), ``archive`` or ``feed``; Reading progress runs from 0 to 1."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from . import ImportItem, Source, notice, open_csv, parse_timestamp, split_tags


def _tags(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and len(value) < 10_000:
        try:
            parsed = ast.literal_eval(value)  # literals only: no code runs
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = None
        if isinstance(parsed, (list, tuple)):
            return [str(t).strip() for t in parsed if str(t).strip()]
        value = value.strip("[]")
    return [t.strip("'\" ") for t in split_tags(value) if t.strip("'\" ")]


def parse(data: Source, resume: tuple[int, int] | None = None) -> Iterator[ImportItem]:
    """Items of a Readwise Reader CSV, read row by row. Raises ImportFileError."""
    rows, note = open_csv(data, resume)
    if note:
        yield notice(note)
    for line, row, point in rows:
        location = row.get("location", "").strip().lower()
        try:
            progress = float(row.get("reading progress", "") or 0)
        except ValueError:
            progress = 0.0
        yield ImportItem(
            url=row.get("url", "").strip(),
            line=line,
            resume=point,
            title=row.get("title", "").strip(),
            tags=_tags(row.get("document tags", "")),
            saved_at=parse_timestamp(row.get("saved date")),
            is_archived=location == "archive",
            is_read=progress >= 0.99,
            is_favorite=location == "shortlist",
            extra={"progress": max(0.0, min(progress, 1.0)) * 100},
        )
