"""Pocket exports: the CSV of 2024-2025 (``title,url,time_added,tags,status``; tags joined by ``|``,
status ``unread``/``archive``; sometimes inside a ZIP as ``part_000000.csv``) and the older HTML
(``<h1>Unread</h1><ul><li><a href time_added tags>``, then ``<h1>Read Archive</h1>``)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

from . import (
    ImportItem,
    Source,
    as_stream,
    csv_rows,
    entity_notice,
    notice,
    open_csv,
    open_text,
    parse_timestamp,
    split_tags,
    text_chunks,
    zip_member_safe,
    zip_open,
    zip_text,
)


def _csv_items(rows, offset: int = 0, last_line: list[int] | None = None) -> Iterator[ImportItem]:
    for line, row, point in rows:
        if last_line is not None:
            last_line[0] = line
        status = row.get("status", "").strip().lower()
        yield ImportItem(
            url=row.get("url", "").strip(),
            line=line + offset,
            resume=point,
            title=row.get("title", "").strip(),
            tags=split_tags(row.get("tags", ""), "|,"),
            saved_at=parse_timestamp(row.get("time_added")),
            is_archived=status in ("archive", "archived", "read"),
            is_read=status in ("archive", "archived", "read"),
            is_favorite=row.get("favorite", "").strip() in ("1", "true"),
        )


def parse_csv(data: Source, resume: tuple[int, int] | None = None) -> Iterator[ImportItem]:
    """Items of a Pocket CSV (or a ZIP of them), read row by row (ZIP members decompressed as they are
    read). Raises ImportFileError."""
    stream = as_stream(data)
    is_zip = stream.read(4) == b"PK\x03\x04"
    stream.seek(0)
    if is_zip:
        archive = zip_open(stream)
        offset = 0
        for info in archive.infolist():
            if not zip_member_safe(info.filename):
                yield notice(f"Skipped “{info.filename[:100]}” in the archive: its path leaves the archive.")
                continue
            if info.filename.endswith(".csv"):
                text, note = zip_text(archive, info)
                if note:
                    yield notice(note)
                last_line = [1]
                yield from _csv_items(((line, row, None) for line, row in csv_rows(text)), offset, last_line)
                offset += last_line[0] + 1
        return
    rows, note = open_csv(stream, resume)
    if note:
        yield notice(note)
    yield from _csv_items(rows)


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


def parse_html(data: Source) -> Iterator[ImportItem]:
    """Items of a Pocket HTML export (ril_export.html), fed to the tokenizer in chunks. Raises
    ImportFileError."""
    text, note = open_text(data)
    if note:
        yield notice(note)
    parser = _PocketHTML()
    for position, chunk in enumerate(text_chunks(text)):
        if position == 0:
            yield from entity_notice(chunk)
        parser.feed(chunk)
        yield from parser.items
        parser.items.clear()
    parser.close()
    yield from parser.items
