"""Omnivore export ZIP (2024): ``metadata_<from>_to_<to>.json`` (lists of ``{id, slug, title, url,
labels, savedAt, state, readingProgress, ...}``), ``content/<slug>.html`` (the stored article) and
``highlights/<slug>.md`` (each highlight a ``> quote [⤴️](link)`` block, its note on the lines after)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext_noop

from . import (
    HighlightItem,
    ImportFileError,
    ImportItem,
    Source,
    decode,
    json_arrays,
    notice,
    parse_timestamp,
    zip_member_safe,
    zip_open,
    zip_read,
)

_LINK = re.compile(r"\s*\[⤴️?\]\([^)]*\)\s*$")


def parse_highlights(markdown: str) -> list[HighlightItem]:
    """Highlights of one Omnivore highlights/*.md file: quote blocks, each with the note lines after it."""
    highlights: list[HighlightItem] = []
    quote: list[str] = []
    note: list[str] = []

    def flush() -> None:
        if quote:
            text = _LINK.sub("", "\n".join(quote)).strip()
            if text:
                highlights.append(HighlightItem(quote=text, note="\n".join(note).strip()))
        quote.clear()
        note.clear()

    in_quote = False
    for line in markdown.splitlines():
        if line.startswith(">"):
            if not in_quote:
                flush()
            in_quote = True
            quote.append(line[1:].strip())
        else:
            in_quote = False
            if quote:
                note.append(line)
    flush()
    return highlights


def _item(entry: object, position: int, member_text) -> ImportItem:
    """The ImportItem of one metadata entry; ``member_text(path)`` reads a member of the archive."""
    if not isinstance(entry, dict):
        return ImportItem(url="", line=position, error="The entry is not an object.")
    slug = str(entry.get("slug") or "")
    safe_slug = slug if slug and zip_member_safe(slug) and "/" not in slug else ""
    labels = entry.get("labels") or []
    if not isinstance(labels, list):
        labels = []
    tags = [(label.get("name") if isinstance(label, dict) else label) for label in labels if label]
    try:
        progress = float(entry.get("readingProgress") or 0)
    except (TypeError, ValueError):
        progress = 0.0
    state = str(entry.get("state") or "").lower()
    return ImportItem(
        url=str(entry.get("url") or "").strip(),
        line=position,
        title=str(entry.get("title") or "").strip(),
        tags=[str(t).strip() for t in tags if isinstance(t, str) and t.strip()],
        saved_at=parse_timestamp(entry.get("savedAt")),
        is_archived=state == "archived",
        is_read=progress >= 100 or state == "archived",
        highlights=parse_highlights(member_text(f"highlights/{safe_slug}.md")) if safe_slug else [],
        content_html=member_text(f"content/{safe_slug}.html") if safe_slug else "",
        extra={"progress": max(0.0, min(progress, 100.0))},
    )


def parse(data: Source) -> Iterator[ImportItem]:
    """Items of an Omnivore export ZIP (a seekable file or bytes): each metadata file is streamed entry by
    entry, and an entry's content and highlights members are read when it is reached. Raises
    ImportFileError."""
    archive = zip_open(data)
    members = {}
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        if not zip_member_safe(name):
            yield notice(f"Skipped “{name[:100]}” in the archive: its path leaves the archive.")
            continue
        members[name] = info
    metadata = sorted(
        n for n in members if n.rsplit("/", 1)[-1].startswith("metadata_") and n.endswith(".json")
    )
    if not metadata:
        raise ImportFileError(
            gettext_noop("The archive has no metadata_*.json file; it is not an Omnivore export.")
        )
    root = metadata[0].rsplit("/", 1)[0] + "/" if "/" in metadata[0] else ""

    def member_text(path: str) -> str:
        info = members.get(root + path)
        return decode(zip_read(archive, info))[0] if info is not None and info.file_size else ""

    position = 0
    for name in metadata:
        found = {"": False}
        try:
            for _, entry in json_arrays(archive.open(members[name]), found):
                position += 1
                yield _item(entry, position, member_text)
        except ImportFileError as exc:
            yield notice(f"Skipped {name[:100]}: it is not valid JSON ({exc.message}).")
            continue
        if not found[""]:
            yield notice(f"Skipped {name[:100]}: it is not a list of articles.")
