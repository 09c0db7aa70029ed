"""Import file parsers: one pure module per source, each ``parse(data: bytes) -> Iterator[ImportItem]``.

No ORM and no network here. ``detect_format`` looks at the bytes (not only the file name) and
``parse_file`` runs the matching parser. Hostile input is the normal case: every parser reads from bytes
already capped in size, decodes with a fallback, never expands entities, and reports a bad entry as an
``ImportItem`` with ``error`` set (so the run can list it) instead of stopping.

Every parser streams (issue 21.3): it takes ``bytes`` or a binary file object (the stored upload) and
reads it incrementally (CSV rows through an incremental decoder, JSON with ijson's event parser, HTML fed
to the tokenizer in chunks, ZIP members opened as streams), yielding entries as it goes, so memory is
bounded by one entry (and one ZIP member's JSON list for Omnivore) however large the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from django.utils.translation import gettext_lazy, gettext_noop

#: Limits on ZIP archives (Omnivore, Pocket). A member over MAX_RATIO times its compressed size, or an
#: archive over MAX_UNCOMPRESSED bytes in all, is a "ZIP bomb" (David Fifield, "A better zip bomb", 2019).
ZIP_MAX_MEMBERS = 20_000
ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024
ZIP_MAX_RATIO = 200
#: Largest CSV field Folio reads (characters); Python's default is 131072.
CSV_FIELD_LIMIT = 1024 * 1024
#: Bytes looked at to choose a file's text encoding (and its format); the rest is decoded as it is read.
HEAD_BYTES = 65536
#: Chunk of text fed to the HTML tokenizer at a time (characters).
HTML_CHUNK = 65536
#: Deepest JSON nesting Folio reads; a wallabag or Folio entry is 4 levels deep.
JSON_MAX_DEPTH = 64

#: What a parser reads: the whole file's bytes, or a binary file object open at its start.
Source = bytes | BinaryIO

FORMATS = {
    "pocket_csv": "Pocket (CSV)",
    "pocket_html": "Pocket (HTML)",
    "instapaper": "Instapaper (CSV)",
    "wallabag": "wallabag (JSON)",
    "omnivore": "Omnivore (ZIP)",
    "readwise": "Readwise Reader (CSV)",
    "netscape": gettext_lazy("Bookmarks (HTML)"),
    "folio": "Folio (JSON)",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class HighlightItem:
    """One highlighted passage: ``quote`` (text), ``note``, ``anchor`` (source-specific position)."""

    quote: str
    note: str = ""
    created_at: datetime | None = None
    anchor: dict = field(default_factory=dict)


@dataclass
class ImportItem:
    """One entry of an import file. ``line`` is its 1-based line (CSV/HTML) or position (JSON/ZIP).

    ``content_html`` is stored article HTML carried by the file (wallabag, Omnivore, Folio): the article
    is then kept as it is instead of being fetched. ``error`` is set when the entry cannot be imported.
    """

    url: str
    line: int = 0
    title: str = ""
    tags: list[str] = field(default_factory=list)
    saved_at: datetime | None = None
    read_at: datetime | None = None
    is_read: bool = False
    is_archived: bool = False
    is_favorite: bool = False
    highlights: list[HighlightItem] = field(default_factory=list)
    content_html: str = ""
    extra: dict = field(default_factory=dict)
    error: str = ""
    #: Where a later read can start right after this entry: ``(byte offset, line)`` in the file (plain CSV
    #: files; None when the format cannot be entered in the middle).
    resume: tuple[int, int] | None = None


# --- helpers shared by the parsers -------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Text of ``data`` and a note for the person ("" when it was valid UTF-8).

    UTF-8 (with or without BOM), UTF-16 with BOM, then charset-normalizer's best guess; as a last resort
    UTF-8 with U+FFFD replacement characters. Raises ImportFileError for an empty file.
    """
    if not data.strip():
        raise ImportFileError(gettext_noop("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), ""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(
                best.encoding
            ), f"The file is not valid UTF-8; Folio read it as {best.encoding}."
        except (UnicodeDecodeError, LookupError):
            pass
    return (
        data.decode("utf-8", errors="replace"),
        "The file is not valid UTF-8; characters Folio could not read are shown as �.",
    )


def parse_timestamp(value: object) -> datetime | None:
    """A datetime from a Unix time (seconds or milliseconds) or an ISO 8601 string; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        try:
            number = float(value)
            if number > 1e11:  # milliseconds
                number /= 1000
            if number <= 0:
                return None
            return datetime.fromtimestamp(number, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def csv_rows(text: str | io.TextIOBase) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` pairs of a CSV with a header (``text`` a string or a text stream opened with
    ``newline=""``, read row by row); keys lower-cased. Formula-looking cells stay text.

    A malformed row ends the read with ImportFileError naming its line (rows before it are kept).
    """
    csv.field_size_limit(CSV_FIELD_LIMIT)
    stream = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(line.replace("\x00", "") for line in stream)
    header = _csv_header(reader)
    if header is not None:
        yield from _csv_records(reader, header)


def _csv_header(reader) -> list[str] | None:
    """The lower-cased header of a csv.reader (None for an empty file). Raises ImportFileError."""
    try:
        return [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return None
    except csv.Error as exc:
        raise ImportFileError(f"Line 1 of the CSV cannot be read: {exc}.") from exc


def _csv_records(reader, header: list[str], base: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each non-blank row of a csv.reader, lines counted from ``base``. Raises
    ImportFileError naming the line of a malformed row."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(f"Line {base + reader.line_num} of the CSV cannot be read: {exc}.") from exc
        if not any(c.strip() for c in cells):
            continue
        yield base + reader.line_num, {header[i]: cells[i] for i in range(min(len(header), len(cells)))}


#: Longest line read at once from a CSV file (bytes); a longer one is read in pieces of this size.
CSV_LINE_BYTES = 4 * CSV_FIELD_LIMIT


def open_csv(
    data: Source, resume: tuple[int, int] | None = None
) -> tuple[Iterator[tuple[int, dict[str, str], tuple[int, int] | None]], str]:
    """Rows of a CSV import file and the decoding note (see open_text): an iterator of ``(line, row,
    resume point)``, read line by line from the binary stream.

    The resume point of a row is ``(byte offset just after it, its last line)``: passed back as
    ``resume``, the read seeks there (after reading the header from the top) instead of parsing the rows
    before it again. Files in an encoding where a line end is not the byte 0x0A (UTF-16) and unseekable
    streams are read as a text stream without resume points. Raises ImportFileError (empty file; a malformed row, while
    iterating).
    """
    raw = as_stream(data)
    head = raw.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES
    if not head.strip() and complete:
        raise ImportFileError(gettext_noop("The file is empty."))
    encoding, note = _head_encoding(head, complete)
    line_codec = "utf-8" if codecs.lookup(encoding).name == "utf-8-sig" else encoding
    if "\n".encode(line_codec) != b"\n" or not raw.seekable():
        buffered = io.BufferedReader(_Prefixed(head, raw), buffer_size=HEAD_BYTES)
        text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
        return ((line, row, None) for line, row in csv_rows(text)), note
    return _seekable_csv(raw, encoding, resume), note


def _seekable_csv(
    raw: BinaryIO, encoding: str, resume: tuple[int, int] | None
) -> Iterator[tuple[int, dict[str, str], tuple[int, int] | None]]:
    position = 0

    def lines(start: int, codec: str) -> Iterator[str]:
        nonlocal position
        raw.seek(start)
        position = start
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        while chunk := raw.readline(CSV_LINE_BYTES):
            position += len(chunk)
            yield decoder.decode(chunk).replace("\x00", "")

    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(lines(0, encoding))
    header = _csv_header(reader)
    if header is None:
        return
    base = 0
    if resume is not None and resume[0] > position:
        # Entries up to ``resume`` were handled by an earlier run: start right after them.
        codec = "utf-8" if codecs.lookup(encoding).name == "utf-8-sig" else encoding
        reader, base = csv.reader(lines(resume[0], codec)), resume[1]
    for line, row in _csv_records(reader, header, base):
        yield line, row, (position, line)


class _Prefixed(io.RawIOBase):
    """A raw stream that gives ``head`` (bytes already read) and then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO):
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def as_stream(source: Source) -> BinaryIO:
    """A binary stream over ``source`` (bytes are wrapped, a file object is returned as it is)."""
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source


def _head_encoding(head: bytes, complete: bool) -> tuple[str, str]:
    """The encoding to read a file with, from its first bytes, and the note for the person."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", ""
    try:
        # A multi-byte character may be cut at the end of the head: the decoder waits for its end.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=complete)
        return "utf-8-sig", ""
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is not None and best.encoding:
        try:
            codecs.lookup(best.encoding)
            return best.encoding, f"The file is not valid UTF-8; Folio read it as {best.encoding}."
        except LookupError:
            pass
    return "utf-8", "The file is not valid UTF-8; characters Folio could not read are shown as �."


def open_text(source: Source) -> tuple[io.TextIOWrapper, str]:
    """A text stream over ``source`` (decoded as it is read, universal newlines off for CSV) and a note
    for the person ("" when it is UTF-8).

    The encoding is chosen from the first HEAD_BYTES (UTF-16 BOM, UTF-8, else charset-normalizer's
    guess); bytes later in the file that do not decode become U+FFFD. Raises ImportFileError for an
    empty file.
    """
    raw = as_stream(source)
    head = raw.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES
    if not head.strip() and complete:
        raise ImportFileError(gettext_noop("The file is empty."))
    encoding, note = _head_encoding(head, complete)
    buffered = io.BufferedReader(_Prefixed(head, raw), buffer_size=HEAD_BYTES)
    return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline=""), note


def text_chunks(stream: io.TextIOBase, size: int = HTML_CHUNK) -> Iterator[str]:
    """``stream`` read ``size`` characters at a time."""
    while chunk := stream.read(size):
        yield chunk


def json_arrays(source: Source, containers: dict[str, bool]) -> Iterator[tuple[str, object]]:
    """Stream the elements of the JSON arrays at the paths in ``containers`` (ijson prefixes: ``""`` for a
    top-level array, ``"articles"`` for ``{"articles": [...]}``), as ``(path, element)`` pairs in file
    order. Each path's value in ``containers`` is set True when its array was seen (so a caller can tell
    "no such list" from "an empty list"). One element is in memory at a time.

    UTF-8 files are parsed as they are read; a file in another encoding (UTF-16, a guessed legacy
    charset) is decoded whole first (it is within FOLIO_IMPORT_MAX_BYTES). Raises ImportFileError for
    broken JSON, nesting deeper than JSON_MAX_DEPTH, or an empty file.
    """
    import ijson
    from ijson.common import ObjectBuilder

    raw = as_stream(source)
    head = raw.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES
    if not head.strip() and complete:
        raise ImportFileError(gettext_noop("The file is empty."))
    encoding, _ = _head_encoding(head, complete)
    if encoding == "utf-8-sig":
        stream: BinaryIO = io.BufferedReader(_Prefixed(head.removeprefix(codecs.BOM_UTF8), raw))
    else:
        text = (head + raw.read()).decode(encoding, errors="replace")
        stream = io.BytesIO(text.encode("utf-8"))
    items = {f"{path}.item" if path else "item": path for path in containers}
    depth = 0
    builder: ObjectBuilder | None = None
    base = 0
    current = ""
    try:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > JSON_MAX_DEPTH:
                    raise ImportFileError(gettext_noop("The JSON file is nested too deeply to read."))
                if event == "start_array" and prefix in containers and builder is None:
                    containers[prefix] = True
            elif event in ("end_map", "end_array"):
                depth -= 1
            if builder is not None:
                builder.event(event, value)
                if depth == base:
                    yield items[current], builder.value
                    builder = None
            elif prefix in items and event not in ("end_map", "end_array", "map_key"):
                if event in ("start_map", "start_array"):
                    current, base = prefix, depth - 1
                    builder = ObjectBuilder()
                    builder.event(event, value)
                else:
                    yield items[prefix], value
    except ijson.JSONError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unexpected end"
        raise ImportFileError(f"The JSON file is broken: {first}.") from exc


def csv_header(text: str) -> set[str]:
    """Lower-cased column names of the first line of ``text`` ({} if it is not CSV)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return {c.strip().lower() for c in next(csv.reader([first]))}
    except (csv.Error, StopIteration):
        return set()


def zip_open(data: Source) -> zipfile.ZipFile:
    """Open ``data`` (bytes, or a seekable binary file: members are then read from it as streams) as a
    ZIP after checking it against bombs. Raises ImportFileError."""
    try:
        archive = zipfile.ZipFile(as_stream(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportFileError(
            gettext_noop("The file looks like a ZIP archive but cannot be opened.")
        ) from exc
    if len(members) > ZIP_MAX_MEMBERS:
        raise ImportFileError(f"The archive has more than {ZIP_MAX_MEMBERS} files; Folio did not open it.")
    total = sum(m.file_size for m in members)
    if total > ZIP_MAX_UNCOMPRESSED:
        raise ImportFileError(
            f"The archive would unpack to more than {ZIP_MAX_UNCOMPRESSED // (1024 * 1024)} MB; "
            "Folio did not open it (it may be a ZIP bomb)."
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            raise ImportFileError(
                f"“{member.filename[:100]}” in the archive is compressed more than {ZIP_MAX_RATIO} to 1; "
                "Folio did not open the archive (it may be a ZIP bomb)."
            )
    return archive


def zip_member_safe(name: str) -> bool:
    """False for absolute paths, drive letters and ``..`` parts (a "zip slip", Snyk 2018)."""
    normalized = name.replace("\\", "/")
    parts = normalized.split("/")
    return not (normalized.startswith("/") or ".." in parts or (len(parts[0]) == 2 and parts[0][1] == ":"))


def zip_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Bytes of one member, reading at most its declared size (+1 byte to catch lying headers)."""
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ImportFileError(
            f"“{info.filename[:100]}” in the archive is larger than it says; Folio stopped."
        )
    return data


def zip_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[io.TextIOWrapper, str]:
    """One member as a text stream (see open_text), decompressed as it is read; zipfile stops at its
    declared size and checks its CRC at the end (a lying header ends in BadZipFile)."""
    return open_text(archive.open(info))


def split_tags(value: str, separators: str = ",") -> list[str]:
    """Tag names from a delimited string."""
    for sep in separators[1:]:
        value = value.replace(sep, separators[0])
    return [t.strip() for t in value.split(separators[0]) if t.strip()]


# --- detection ---------------------------------------------------------------------------------------


def detect_format(data: Source, filename: str = "") -> str:
    """The format key (see FORMATS) of an import file (bytes, or a seekable binary file, left at its
    start), from its content first and its name second.

    Raises ImportFileError when the file is empty or no known format matches.
    """
    if not isinstance(data, (bytes, bytearray)):
        head = data.read(HEAD_BYTES + 1)
        is_zip = head[:4] == b"PK\x03\x04"
        data.seek(0)
        if is_zip:
            return _detect_zip(data)
        data = head
    if not data.strip():
        raise ImportFileError(gettext_noop("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _detect_zip(data)
    head = data[:HEAD_BYTES]
    text, _ = decode(head if len(data) > HEAD_BYTES else data) if head.strip() else ("", "")
    stripped = text.lstrip("\ufeff \t\r\n")
    lowered = stripped[:4096].lower()
    if stripped.startswith(("{", "[")):
        if '"folio_export"' in stripped[:2000]:
            return "folio"
        if "is_archived" in stripped or "is_starred" in stripped or '"url"' in stripped:
            return "wallabag"
        raise ImportFileError(
            gettext_noop("Folio does not recognise this JSON file (expected a wallabag or Folio export).")
        )
    if lowered.startswith("<") or "<!doctype" in lowered or "<html" in lowered:
        if "netscape-bookmark-file" in lowered:
            return "netscape"
        if "pocket export" in lowered or "time_added=" in text.lower():
            return "pocket_html"
        if "<dt>" in text.lower():
            return "netscape"
        raise ImportFileError(
            gettext_noop("Folio does not recognise this HTML file (expected bookmarks or a Pocket export).")
        )
    header = csv_header(stripped)
    if {"url", "time_added"} <= header:
        return "pocket_csv"
    if {"url", "folder"} <= header:
        return "instapaper"
    if {"url", "document tags"} <= header or {"url", "saved date"} <= header:
        return "readwise"
    name = filename.lower()
    if name.endswith(".html") or name.endswith(".htm"):
        return "netscape"
    raise ImportFileError(
        gettext_noop(
            "Folio does not recognise this file. It reads Pocket, Instapaper, wallabag, Omnivore, "
            "Readwise Reader, "
            "browser bookmarks and Folio exports."
        )
    )


def _detect_zip(data: Source) -> str:
    archive = zip_open(data)
    names = [n.replace("\\", "/") for n in archive.namelist()]
    if any(n.rsplit("/", 1)[-1].startswith("metadata_") and n.endswith(".json") for n in names):
        return "omnivore"
    if any(n.endswith(".csv") for n in names):
        return "pocket_csv"
    raise ImportFileError(
        gettext_noop("Folio does not recognise this ZIP archive (expected an Omnivore or Pocket export).")
    )


#: Formats whose parser can start in the middle of the file (``parse_file``'s ``resume``).
RESUMABLE = {"pocket_csv", "instapaper", "readwise"}


def parse_file(data: Source, fmt: str, resume: tuple[int, int] | None = None) -> Iterator[ImportItem]:
    """Run the parser for ``fmt`` over ``data`` (bytes or a binary file object at its start; a ZIP needs
    a seekable one), streaming. ``resume`` (an item's ``resume`` point, for a format in RESUMABLE) starts
    the read right after that item; the other formats ignore it. Raises ImportFileError (file-level
    problems)."""
    from . import folio, instapaper, netscape, omnivore, pocket, readwise, wallabag

    parsers = {
        "pocket_csv": pocket.parse_csv,
        "pocket_html": pocket.parse_html,
        "instapaper": instapaper.parse,
        "wallabag": wallabag.parse,
        "omnivore": omnivore.parse,
        "readwise": readwise.parse,
        "netscape": netscape.parse,
        "folio": folio.parse,
    }
    if fmt not in parsers:
        raise ImportFileError(f"Unknown import format {fmt!r}.")
    if fmt in RESUMABLE:
        return parsers[fmt](data, resume=resume)
    return parsers[fmt](data)


def load_json(data: bytes) -> tuple[object, str]:
    """Parsed JSON of ``data`` and the decoding note. Raises ImportFileError with the position of an error."""
    text, note = decode(data)
    try:
        return json.loads(text), note
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"The JSON file is broken at line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(gettext_noop("The JSON file is nested too deeply to read.")) from exc


def notice(message: str) -> ImportItem:
    """A file-level note for the person (decoding fallback, ignored entities), listed with the failures."""
    return ImportItem(url="", line=0, error=message, extra={"notice": True})


def entity_notice(text: str) -> Iterator[ImportItem]:
    """A notice when HTML/XML text declares entities, which Folio never expands (the "billion laughs")."""
    if "<!entity" in text[:200_000].lower():
        yield notice(
            "The file declares XML entities (<!ENTITY …>); Folio ignored them and did not expand them."
        )
