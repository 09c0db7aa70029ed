"""Each parser on a small sample written in its source's real layout, plus hostile files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles import importers
from articles.importers import ImportFileError, detect_format, parse_file

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def parsed(name: str) -> tuple[str, list]:
    data = (SAMPLES / name).read_bytes()
    fmt = detect_format(data, name)
    return fmt, [item for item in parse_file(data, fmt) if not item.extra.get("notice")]


def by_url(items):
    return {item.url: item for item in items}


def test_pocket_csv():
    fmt, items = parsed("pocket.csv")
    assert fmt == "pocket_csv"
    first = items[0]
    assert (first.url, first.title, first.tags) == (
        "https://example.com/how-to-read",
        "How to Read a Paper",
        ["research", "reading"],
    )
    assert first.saved_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert not first.is_archived
    assert items[1].is_archived and items[1].is_read and items[1].title == 'Commas, quotes "and" more'
    assert items[2].title == '=HYPERLINK("http://evil.example","click")'  # data, never evaluated
    assert items[2].tags == ['tag with "quotes" <b>']
    assert items[3].url == "javascript:alert(1)"  # rejected later by the service


def test_pocket_html():
    fmt, items = parsed("pocket.html")
    assert fmt == "pocket_html"
    items = by_url(items)
    one = items["https://example.com/unread-one"]
    assert one.title == "Unread & one" and one.tags == ["news", "long read"] and not one.is_archived
    assert one.saved_at == datetime.fromtimestamp(1600000000, tz=UTC)
    archived = items["https://example.org/archived"]
    assert archived.is_archived and archived.tags == ["old"]


def test_instapaper():
    fmt, items = parsed("instapaper.csv")
    assert fmt == "instapaper"
    items = by_url(items)
    assert items["https://example.com/insta-unread"].tags == ["python", "web"]
    archived = items["https://example.com/insta-archived"]
    assert archived.is_archived and archived.highlights[0].quote == "The passage I selected."
    assert items["https://example.com/insta-starred"].is_favorite
    assert items["https://example.com/insta-folder"].tags == ["recipes", "Cooking"]


def test_readwise():
    fmt, items = parsed("readwise.csv")
    assert fmt == "readwise"
    items = by_url(items)
    short = items["https://example.com/rw-short"]
    assert short.is_favorite and short.tags == ["ideas", "to share"]
    assert short.saved_at == datetime(2023, 5, 17, 14, 10, 34, tzinfo=UTC)
    assert (
        items["https://example.com/rw-archive"].is_archived
        and items["https://example.com/rw-archive"].is_read
    )
    assert items["https://example.com/rw-new"].tags == ["reader"]


def test_netscape_bookmarks():
    fmt, items = parsed("bookmarks.html")
    assert fmt == "netscape"
    items = by_url(items)
    python = items["https://example.com/bm-python"]
    assert python.title == "Python <docs>" and python.tags == ["python", "docs", "Programming"]
    assert items["https://example.com/bm-toplevel"].tags == []  # "Bookmarks bar" is noise, not a tag
    assert not items["https://example.org/bm-linkding"].is_read
    assert items["https://example.org/bm-pinboard"].is_read
    assert "file:///etc/passwd" in items


def test_wallabag_keeps_content_and_annotations():
    fmt, items = parsed("wallabag.json")
    assert fmt == "wallabag"
    stored = items[0]
    assert stored.is_archived and stored.is_favorite and stored.tags == ["science", "long read"]
    assert "important sentence" in stored.content_html
    assert stored.highlights[0].quote == "an important sentence"
    assert stored.highlights[0].note == "My note on it"
    assert stored.highlights[0].anchor["ranges"][0]["start"] == "/p[1]"
    assert items[1].content_html == ""


def test_omnivore_zip():
    fmt, items = parsed("omnivore.zip")
    assert fmt == "omnivore"
    one = items[0]
    assert one.url == "https://example.com/omni-one" and one.tags == ["Newsletter", "design"]
    assert one.is_archived and one.is_read
    assert "Omnivore kept this text" in one.content_html
    assert [(h.quote, h.note) for h in one.highlights] == [
        ("The highlighted words are here.", "A note about it"),
        ("Another paragraph.", ""),
    ]
    assert items[1].content_html == "" and not items[1].is_archived


def test_detect_by_content_not_name():
    data = (SAMPLES / "pocket.csv").read_bytes()
    assert detect_format(data, "export.txt") == "pocket_csv"
    assert detect_format((SAMPLES / "wallabag.json").read_bytes(), "data.csv") == "wallabag"


# --- hostile files ---------------------------------------------------------------------------------------


def test_empty_file():
    with pytest.raises(ImportFileError, match="empty"):
        detect_format(b"  \n", "x.csv")


def test_unknown_file():
    with pytest.raises(ImportFileError, match="does not recognise"):
        detect_format(b"hello world, nothing here", "x.txt")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_refused(monkeypatch):
    bomb = _zip({"metadata_0_to_1.json": b"[]", "content/x.html": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(ImportFileError, match="ZIP bomb"):
        detect_format(bomb, "omnivore.zip")
    monkeypatch.setattr(importers, "ZIP_MAX_UNCOMPRESSED", 1024)
    with pytest.raises(ImportFileError, match="ZIP bomb"):
        detect_format(_zip({"metadata_0_to_1.json": b"[" + b" " * 4096 + b"]"}), "o.zip")


def test_zip_with_parent_paths_skips_them():
    meta = [{"slug": "../../etc/passwd", "url": "https://example.com/z", "title": "Z"}]
    data = _zip(
        {
            "metadata_0_to_1.json": json.dumps(meta).encode(),
            "../evil.html": b"x",
            "content/../../etc/passwd.html": b"<p>secret</p>",
        }
    )
    items = list(parse_file(data, detect_format(data, "o.zip")))
    notices = [i.error for i in items if i.extra.get("notice")]
    real = [i for i in items if not i.extra.get("notice")]
    assert any("leaves the archive" in n for n in notices)
    assert real[0].url == "https://example.com/z" and real[0].content_html == ""


def test_entity_bomb_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE NETSCAPE-Bookmark-file-1 [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<DL><p><DT><A HREF="https://example.com/ok">&c;</A></DL>'
    )
    items = list(parse_file(bomb, detect_format(bomb, "b.html")))
    assert any("ENTITY" in i.error for i in items if i.extra.get("notice"))
    real = [i for i in items if not i.extra.get("notice")]
    assert real[0].url == "https://example.com/ok" and "aaaa" not in real[0].title


def test_broken_encoding_is_read_with_a_note():
    data = "title,url,time_added,tags,status\nCaf\u00e9 cr\u00e8me,https://example.com/c,1700000000,,unread\n"
    items = list(parse_file(data.encode("latin-1"), "pocket_csv"))
    assert items[0].extra.get("notice") and "UTF-8" in items[0].error
    assert items[1].url == "https://example.com/c" and items[1].title.startswith("Caf")


def test_broken_csv_row_keeps_rows_before():
    data = b"title,url,time_added,tags,status\nA,https://example.com/a,1,,unread\n" + b'"' + b"x" * 2_000_000
    items = []
    with pytest.raises(ImportFileError, match="Line"):
        for item in parse_file(data, "pocket_csv"):
            items.append(item)
    assert items[0].url == "https://example.com/a"


def test_broken_json_message():
    with pytest.raises(ImportFileError, match="JSON file is broken: parse error"):
        list(parse_file(b'[{"url": "https://example.com/x",', "wallabag"))
    with pytest.raises(ImportFileError, match="nested too deeply"):
        list(parse_file(b"[" * 100_000 + b"]" * 100_000, "wallabag"))


def test_pocket_zip_of_csv_parts():
    csv_part = (SAMPLES / "pocket.csv").read_bytes()
    data = _zip({"part_000000.csv": csv_part, "annotations/part_000000.json": b"[]"})
    assert detect_format(data, "pocket.zip") == "pocket_csv"
    items = [i for i in parse_file(data, "pocket_csv") if not i.extra.get("notice")]
    assert [i.url for i in items][:2] == [
        "https://example.com/how-to-read",
        "https://example.org/commas?utm_source=pocket",
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "latin-1"])
def test_csv_read_resumes_at_a_row_offset(encoding):
    """A plain CSV is entered right after a given row (its resume point), with its header read from the
    top and line numbers that go on; a quoted field spanning lines is one row."""
    import io

    text = (
        "title,url,time_added,tags,status\n"
        "Caf\u00e9,https://example.com/1,1700000000,,unread\n"
        '"Two\nlines",https://example.com/2,1700000000,,unread\n'
        "Three,https://example.com/3,1700000000,a|b,archive\n"
        "Four,https://example.com/4,1700000000,,unread\n"
    )
    data = text.encode(encoding)
    items = [i for i in parse_file(io.BytesIO(data), "pocket_csv") if not i.extra.get("notice")]
    assert [i.line for i in items] == [2, 4, 5, 6] and items[1].title == "Two\nlines"
    assert all(i.resume for i in items) and items[-1].resume[0] == len(data)
    rest = [
        i
        for i in parse_file(io.BytesIO(data), "pocket_csv", resume=items[1].resume)
        if not i.extra.get("notice")
    ]
    assert [(i.url, i.line, i.tags) for i in rest] == [
        ("https://example.com/3", 5, ["a", "b"]),
        ("https://example.com/4", 6, []),
    ]
    assert rest[0].is_archived and rest[-1].resume == items[-1].resume


def test_utf16_csv_is_read_without_resume_points():
    import io

    data = "title,url,time_added,tags,status\nA,https://example.com/a,1,,unread\n".encode("utf-16")
    items = [i for i in parse_file(io.BytesIO(data), "pocket_csv") if not i.extra.get("notice")]
    assert [i.url for i in items] == ["https://example.com/a"] and items[0].resume is None
