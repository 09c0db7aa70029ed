"""Netscape bookmark files (``<!DOCTYPE NETSCAPE-Bookmark-file-1>``), written by browsers, linkding,
Pinboard and others: ``<DT><A HREF ADD_DATE TAGS TOREAD PRIVATE>title</A>`` inside ``<DL>`` lists; the
enclosing ``<H3>`` folder names become tags. Parsed with the standard library's tolerant tokenizer, which
never reads a DTD, so declared entities are not expanded."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import islice

from ..limits import TAGS_PER_REQUEST_MAX
from . import ImportItem, Source, entity_notice, notice, open_text, parse_timestamp, split_tags, text_chunks

#: Folder names browsers create that say nothing about the bookmarks in them.
_NOISE_FOLDERS = {
    "bookmarks",
    "bookmarks bar",
    "bookmarks toolbar",
    "bookmarks menu",
    "other bookmarks",
    "mobile bookmarks",
    "favorites bar",
    "favourites bar",
    "unsorted bookmarks",
}


class _Bookmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[ImportItem] = []
        self.folders: list[str] = []
        self._pending_folder: str | None = None
        self._folder_text: list[str] | None = None
        self._link: ImportItem | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self._folder_text = []
        elif tag == "dl":
            self.folders.append(self._pending_folder or "")
            self._pending_folder = None
        elif tag == "a":
            values = {k.lower(): v or "" for k, v in attrs}
            # The outermost folders only: 10,000 nested folders would make 10,000 tags per bookmark.
            folder_tags = list(
                islice(
                    (f for f in self.folders if f and f.lower() not in _NOISE_FOLDERS), TAGS_PER_REQUEST_MAX
                )
            )
            toread = values.get("toread", "").strip().lower()
            self._link = ImportItem(
                url=values.get("href", "").strip(),
                line=self.getpos()[0],
                tags=split_tags(values.get("tags", "")) + folder_tags,
                saved_at=parse_timestamp(values.get("add_date")),
                is_read=toread in ("0", "no"),
            )
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self._folder_text is not None:
            self._pending_folder = " ".join("".join(self._folder_text).split())
            self._folder_text = None
        elif tag == "dl" and self.folders:
            self.folders.pop()
        elif tag == "a" and self._link is not None:
            self._link.title = " ".join("".join(self._text).split())
            self.items.append(self._link)
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._folder_text is not None:
            self._folder_text.append(data)
        if self._link is not None:
            self._text.append(data)


def parse(data: Source) -> Iterator[ImportItem]:
    """Items of a Netscape bookmark file, fed to the tokenizer in chunks. Raises ImportFileError."""
    text, note = open_text(data)
    if note:
        yield notice(note)
    parser = _Bookmarks()
    for position, chunk in enumerate(text_chunks(text)):
        if position == 0:
            yield from entity_notice(chunk)
        parser.feed(chunk)
        yield from parser.items
        parser.items.clear()
    parser.close()
    yield from parser.items
