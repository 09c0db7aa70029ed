"""Pocket exports: the CSV of 2024-2025 (``title,url,time_added,tags,status``; tags joined by ``|``,
status ``unread``/``archive``; sometimes inside a ZIP as ``part_000000.csv``) and the older HTML
(``<h1>Unread</h1><ul><li><a href time_added tags>``, then ``<h1>Read Archive</h1>``)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

from . import (
    ImportItem,
    csv_rows,
    decode,
    entity_notice,
    notice,
    parse_timestamp,
    split_tags,
    zip_member_safe,
    zip_open,
    zip_read,
)


def _csv_items(text: str, offset: int = 0) -> Iterator[ImportItem]:
    for line, row in csv_rows(text):
        status = row.get("status", "").strip().lower()
        yield ImportItem(
            url=row.get("url", "").strip(),
            line=line + offset,
            title=row.get("title", "").strip(),
            tags=split_tags(row.get("tags", ""), "|,"),
            saved_at=parse_timestamp(row.get("time_added")),
            is_archived=status in ("archive", "archived", "read"),
            is_read=status in ("archive", "archived", "read"),
            is_favorite=row.get("favorite", "").strip() in ("1", "true"),
        )


def parse_csv(data: bytes) -> Iterator[ImportItem]:
    """Items of a Pocket CSV (or a ZIP of them). Raises ImportFileError."""
    if data[:4] == b"PK\x03\x04":
        archive = zip_open(data)
        offset = 0
        for info in archive.infolist():
            if not zip_member_safe(info.filename):
                yield notice(f"Skipped “{info.filename[:100]}” in the archive: its path leaves the archive.")
                continue
            if info.filename.endswith(".csv"):
                text, note = decode(zip_read(archive, info))
                if note:
                    yield notice(note)
                yield from _csv_items(text, offset)
                offset += text.count("\n") + 1
        return
    text, note = decode(data)
    if note:
        yield notice(note)
    yield from _csv_items(text)


class _PocketHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[ImportItem] = []
        self.section = ""
        self._heading: list[str] | None = None
        self._link: ImportItem | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self._heading = []
        elif tag == "a":
            values = {k.lower(): v or "" for k, v in attrs}
            archived = "archive" in self.section or "read" in self.section.split()
            self._link = ImportItem(
                url=values.get("href", "").strip(),
                line=self.getpos()[0],
                tags=split_tags(values.get("tags", ""), ",|"),
                saved_at=parse_timestamp(values.get("time_added")),
                is_archived=archived,
                is_read=archived,
            )
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1" and self._heading is not None:
            self.section = " ".join("".join(self._heading).lower().split())
            self._heading = None
        elif tag == "a" and self._link is not None:
            self._link.title = " ".join("".join(self._text).split())
            self.items.append(self._link)
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._link is not None:
            self._text.append(data)


def parse_html(data: bytes) -> Iterator[ImportItem]:
    """Items of a Pocket HTML export (ril_export.html). Raises ImportFileError."""
    text, note = decode(data)
    if note:
        yield notice(note)
    yield from entity_notice(text)
    parser = _PocketHTML()
    parser.feed(text)
    parser.close()
    yield from parser.items
