"""Issue 17 items 3-4: the note on an article (service, reader form, search on both engines) and the
highlights library (page filters and search, paging, Markdown ZIP and Readwise CSV exports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import markdown
import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.errors import ArticleError
from articles.limits import ARTICLE_NOTE_MAX_LENGTH
from articles.search import article_search, article_search_count
from articles.services import highlights_library
from articles.services.highlights import highlight_create
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = pytest.mark.django_db


def _ids(query, user):
    return [a.pk for a in article_search(user=user, query=query).results]


# --- the note on an article --------------------------------------------------------------------------


def test_note_is_set_through_the_one_door_and_found_by_the_library_search(user, other_user):
    article = ArticleFactory(user=user, ready=True, title="Plain title", language="en")
    ArticleFactory(user=other_user, ready=True, title="Theirs")
    assert _ids("serendipitous", user) == []
    services.article_update(user=user, pk=article.pk, note="  A serendipitous find about glaciers.  ")
    article.refresh_from_db()
    assert article.note == "A serendipitous find about glaciers."
    assert article.note_updated_at is not None
    # Words of the note, stemmed like the rest ("glacier" finds "glaciers"), on both engines.
    assert _ids("serendipitous", user) == [article.pk]
    assert _ids("glacier", user) == [article.pk]
    assert _ids('"serendipitous find"', user) == [article.pk]
    assert _ids("note:serendipitous", user) == [article.pk]
    assert _ids("-note:serendipitous", user) == []
    assert article_search_count(user=user, query="serendipitous") == 1
    # Another person's search never finds it.
    assert _ids("serendipitous", other_user) == []
    # Changing the note re-indexes: the old words go, the new ones come.
    services.article_update(user=user, pk=article.pk, note="Now about volcanoes.")
    assert _ids("serendipitous", user) == []
    assert _ids("volcano", user) == [article.pk]
    # Cleared.
    services.article_update(user=user, pk=article.pk, note="")
    assert _ids("volcano", user) == []


def test_note_survives_a_tag_change_in_the_index(user):
    article = ArticleFactory(user=user, ready=True, language="en")
    services.article_update(user=user, pk=article.pk, note="marmalade")
    services.article_update(user=user, pk=article.pk, tags=["breakfast"])
    assert _ids("marmalade tag:breakfast", user) == [article.pk]


def test_note_too_long_is_refused_and_nothing_is_lost(user):
    article = ArticleFactory(user=user, ready=True)
    services.article_update(user=user, pk=article.pk, note="kept")
    with pytest.raises(ArticleError):
        services.article_update(user=user, pk=article.pk, note="x" * (ARTICLE_NOTE_MAX_LENGTH + 1))
    article.refresh_from_db()
    assert article.note == "kept"


def test_reader_shows_the_note_form_and_saves_with_and_without_htmx(client_logged_in, user):
    article = ArticleFactory(user=user, ready=True)
    page = client_logged_in.get(reverse("articles:reader", args=[article.pk]))
    assert page.status_code == 200
    assert b'id="article-note"' in page.content
    assert reverse("reading:note", args=[article.pk]).encode() in page.content
    url = reverse("reading:note", args=[article.pk])
    plain = client_logged_in.post(url, {"note": "Plain <b>form</b> note"})
    assert plain.status_code == 302 and plain["Location"].endswith("#article-note")
    article.refresh_from_db()
    assert article.note == "Plain <b>form</b> note"
    shown = client_logged_in.get(reverse("articles:reader", args=[article.pk]))
    assert b"Plain &lt;b&gt;form&lt;/b&gt; note" in shown.content  # escaped, never HTML
    swapped = client_logged_in.post(url, {"note": "htmx note"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and b"htmx note" in swapped.content
    too_long = client_logged_in.post(
        url, {"note": "y" * (ARTICLE_NOTE_MAX_LENGTH + 1)}, HTTP_HX_REQUEST="true"
    )
    assert too_long.status_code == 400
    assert b"y" * 100 in too_long.content  # the typed text is kept in the form
    article.refresh_from_db()
    assert article.note == "htmx note"


def test_note_of_another_persons_article_is_404(client_logged_in, other_user):
    theirs = ArticleFactory(user=other_user, ready=True)
    response = client_logged_in.post(reverse("reading:note", args=[theirs.pk]), {"note": "mine"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.note == ""


# --- the highlights library ------------------------------------------------------------------------------


@pytest.fixture
def library(user, other_user):
    """Three articles of the person with highlights of several colours and a note, one of another person."""
    now = timezone.now()
    physics = ArticleFactory(
        user=user,
        ready=True,
        title="Quantum physics primer",
        author="Ada",
        site_name="Physics Today",
        url="https://physics.example/primer",
        tags=["science"],
    )
    cooking = ArticleFactory(user=user, ready=True, title="Bread baking", tags=["food"])
    other = ArticleFactory(user=user, ready=True, title="Miscellany")
    h1 = HighlightFactory(
        article=physics,
        quote="Entanglement is spooky action",
        color="yellow",
        created_at=now - dt.timedelta(days=3),
    )
    h2 = HighlightFactory(
        article=physics,
        quote="Superposition of states",
        note="ask about decoherence",
        color="blue",
        created_at=now - dt.timedelta(days=2),
    )
    h3 = HighlightFactory(
        article=cooking,
        quote="Knead the dough for ten minutes",
        color="green",
        created_at=now - dt.timedelta(days=1),
    )
    h4 = HighlightFactory(
        article=other, quote="A spooky story", color="pink", created_at=now - dt.timedelta(hours=1)
    )
    services.article_update(user=user, pk=cooking.pk, note="Try rye flour next time")
    theirs = HighlightFactory(
        article=ArticleFactory(user=other_user, ready=True), quote="spooky secret of theirs"
    )
    return {"physics": physics, "cooking": cooking, "h1": h1, "h2": h2, "h3": h3, "h4": h4, "theirs": theirs}


def _page(user, **kwargs):
    page = highlights_library.highlights_library_page(user=user, **kwargs)
    return [(i.kind, i.pk) for i in page.items]


def test_library_lists_highlights_and_notes_newest_first_of_the_person_only(user, library):
    cooking = library["cooking"]
    assert _page(user) == [
        ("note", cooking.pk),
        ("highlight", library["h4"].pk),
        ("highlight", library["h3"].pk),
        ("highlight", library["h2"].pk),
        ("highlight", library["h1"].pk),
    ]


def test_library_filters_by_tag_colour_and_article(user, library):
    assert _page(user, tag="SCIENCE") == [("highlight", library["h2"].pk), ("highlight", library["h1"].pk)]
    assert _page(user, color="green") == [("highlight", library["h3"].pk)]  # notes have no colour
    assert _page(user, article_id=library["cooking"].pk) == [
        ("note", library["cooking"].pk),
        ("highlight", library["h3"].pk),
    ]
    with pytest.raises(ArticleError):
        highlights_library.highlights_library_page(user=user, color="purple")


def test_library_search_language(user, library):
    h = library
    assert _page(user, query="spooky") == [("highlight", h["h4"].pk), ("highlight", h["h1"].pk)]
    assert _page(user, query="spooky -story") == [("highlight", h["h1"].pk)]
    assert _page(user, query='"spooky action"') == [("highlight", h["h1"].pk)]
    assert _page(user, query="spooky tag:science") == [("highlight", h["h1"].pk)]
    assert _page(user, query="decoherence") == [("highlight", h["h2"].pk)]  # the highlight's note
    assert _page(user, query="rye") == [("note", h["cooking"].pk)]  # the article's note
    assert _page(user, query="quantum") == [("highlight", h["h2"].pk), ("highlight", h["h1"].pk)]  # title
    assert _page(user, query="knead OR rye") == [("note", h["cooking"].pk), ("highlight", h["h3"].pk)]
    assert _page(user, query="-tag:science") == [
        ("note", h["cooking"].pk),
        ("highlight", h["h4"].pk),
        ("highlight", h["h3"].pk),
    ]
    assert _page(user, query="secret") == []  # another person's highlight


def test_library_pages_follow_a_cursor_without_gaps(user, library):
    seen = []
    after = ""
    for _ in range(5):
        page = highlights_library.highlights_library_page(user=user, per_page=2, after=after)
        seen += [(i.kind, i.pk) for i in page.items]
        after = page.next_cursor
        if not after:
            break
    assert seen == _page(user)
    with pytest.raises(ArticleError):
        highlights_library.highlights_library_page(user=user, after="nonsense")


def test_library_page_renders_filters_and_links_to_the_reader(client_logged_in, library):
    h1 = library["h1"]
    response = client_logged_in.get(reverse("reading:highlights"), {"q": "spooky", "tag": "science"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Entanglement is spooky action" in body
    assert "A spooky story" not in body and "spooky secret of theirs" not in body
    assert reverse("articles:reader", args=[h1.article_id]) + f"#highlight-{h1.pk}" in body
    assert client_logged_in.get(reverse("reading:highlights"), {"after": "bad"}).status_code == 400
    assert client_logged_in.get(reverse("reading:highlights"), {"color": "purple"}).status_code == 400
    menu = client_logged_in.get(reverse("articles:library")).content.decode()
    assert reverse("reading:highlights") in menu and reverse("reading:stats") in menu


def test_library_page_needs_a_login(client):
    response = client.get(reverse("reading:highlights"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- exports ---------------------------------------------------------------------------------------------


def test_markdown_zip_one_file_per_article_with_yaml_front_matter_and_no_html(client_logged_in, user):
    hostile = ArticleFactory(
        user=user,
        ready=True,
        title='<script>alert(1)</script> "Quotes": and --- dashes',
        author="A & B",
        site_name="Site <x>",
        url="https://example.com/a?b=<c>",
        tags=["x: y", "<b>"],
    )
    HighlightFactory(
        article=hostile,
        quote="<img src=x onerror=alert(1)> [link](javascript:alert(1))",
        note="**bold** <i>note</i>",
    )
    services.article_update(user=user, pk=hostile.pk, note="# not a heading <script>")
    plain = ArticleFactory(user=user, ready=True, title="Plain")
    HighlightFactory(article=plain, quote="Just a quote")
    ArticleFactory(user=user, ready=True, title="No highlights")  # left out
    response = client_logged_in.get(reverse("reading:highlights_markdown"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(n.startswith("highlights/") and n.endswith(".md") for n in names)
    text = archive.read(next(n for n in names if n.startswith(f"highlights/{hostile.pk}-"))).decode()
    _start, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == hostile.title
    assert meta["url"] == hostile.url and meta["author"] == "A & B" and meta["site"] == "Site <x>"
    assert sorted(meta["tags"]) == ["<b>", "x: y"] and meta["saved"].startswith(str(hostile.saved_at.year))
    assert "<" not in front and ">" not in front
    rendered = markdown.markdown(body)
    for tag in ("<script", "<img", "<i>", "<b>", 'href="javascript'):
        assert tag not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered  # shown as text
    assert (
        "Just a quote"
        in archive.read(next(n for n in names if n.startswith(f"highlights/{plain.pk}-"))).decode()
    )


def test_readwise_csv_parses_with_its_columns(client_logged_in, user, library):
    library["h1"].anchor = {"start": 120}
    library["h1"].save()
    ArticleFactory(user=user, ready=True)  # nothing to export
    response = client_logged_in.get(reverse("reading:highlights_csv"), {"tag": "science"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
    by_quote = {r["Highlight"]: r for r in rows}
    assert set(by_quote) == {"Entanglement is spooky action", "Superposition of states"}
    first = by_quote["Entanglement is spooky action"]
    assert first["Title"] == "Quantum physics primer" and first["Author"] == "Ada"
    assert first["URL"] == "https://physics.example/primer" and first["Location"] == "120"
    assert dt.datetime.strptime(first["Date"], "%Y-%m-%d %H:%M:%S")
    assert by_quote["Superposition of states"]["Note"] == "ask about decoherence"
    everything = highlights_library.highlights_export_readwise_text(user=user)
    notes = [
        r
        for r in csv.DictReader(io.StringIO(everything.lstrip("\ufeff")))
        if r["Highlight"].startswith("Try rye")
    ]
    assert len(notes) == 1 and notes[0]["Title"] == "Bread baking"


def test_readwise_csv_neutralises_formulas(user):
    article = ArticleFactory(user=user, ready=True, title="=HYPERLINK(1)")
    highlight_create(user=user, article_id=article.pk, quote="=cmd|' /C calc'!A0")
    rows = list(
        csv.reader(
            io.StringIO(highlights_library.highlights_export_readwise_text(user=user).lstrip("\ufeff"))
        )
    )
    assert rows[1][0].startswith("'=") and rows[1][1].startswith("'=")
