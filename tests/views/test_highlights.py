"""Highlights in the reader: imported ones shown in place as <mark>, new ones from a selection, removal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.highlighting import mark_quotes
from articles.models import Highlight
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = pytest.mark.django_db


def _m(h, color="yellow"):
    """The opening tag the reader gives highlight ``h`` (highlighting.mark_highlights)."""
    return f'<mark class="hl hl-{color}" data-highlight-id="{h.pk}" data-color="{color}">'


@pytest.fixture
def ready(user):
    return ArticleFactory(
        user=user,
        url="https://example.com/r",
        status="ready",
        title="R",
        content_html=(
            "<p>The quick <b>brown fox</b> jumps over the lazy dog.</p>"
            "<p>A <i>second</i> line &amp; more.</p>"
        ),
    )


def test_mark_quotes_across_elements():
    html, found = mark_quotes("<p>The quick <b>brown fox</b> jumps.</p>", [("quick brown\n fox jumps", 0)])
    assert found == 1
    assert html == "<p>The <mark>quick </mark><b><mark>brown fox</mark></b><mark> jumps</mark>.</p>"


def test_mark_quotes_escapes_and_ignores_missing():
    html, found = mark_quotes("<p>a &lt;b&gt; &amp; c</p>", [("<b> & c", 0), ("absent", 0)])
    assert found == 1 and html == "<p>a <mark>&lt;b&gt; &amp; c</mark></p>"


def test_mark_quotes_prefers_the_anchor_offset():
    html, _ = mark_quotes("<p>one two one</p>", [("one", 8)])
    assert html == "<p>one two <mark>one</mark></p>"


def test_reader_shows_highlights_in_place(client_logged_in, ready):
    h = HighlightFactory(article=ready, quote="brown fox jumps", note="<i>my note</i>")
    page = client_logged_in.get(reverse("articles:reader", args=[ready.pk])).content.decode()
    assert f"<b>{_m(h)}brown fox</mark></b>{_m(h)} jumps</mark>" in page
    assert "&lt;i&gt;my note&lt;/i&gt;" in page
    assert "js/highlights.js" in page and "<script>" not in page


def test_create_highlight_with_note(client_logged_in, ready):
    response = client_logged_in.post(
        reverse("articles:highlight_create", args=[ready.pk]),
        {"quote": "  second line  ", "note": "Why it matters", "prefix": "A ", "suffix": " &", "start": "47"},
    )
    h = Highlight.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#highlight-{h.pk}")
    assert (h.quote, h.note, h.anchor) == (
        "second line",
        "Why it matters",
        {"prefix": "A ", "suffix": " &", "start": 47},
    )
    page = client_logged_in.get(reverse("articles:reader", args=[ready.pk])).content.decode()
    assert f"<i>{_m(h)}second</mark></i>{_m(h)} line</mark>" in page


def test_empty_quote_is_refused(client_logged_in, ready):
    response = client_logged_in.post(
        reverse("articles:highlight_create", args=[ready.pk]), {"quote": " "}, follow=True
    )
    assert "Select the passage" in response.content.decode() and not Highlight.objects.exists()


def test_highlights_of_others_are_out_of_reach(client_logged_in, other_user):
    theirs = ArticleFactory(
        user=other_user,
        url="https://x.example/",
    )
    h = HighlightFactory(article=theirs, quote="secret")
    assert (
        client_logged_in.post(
            reverse("articles:highlight_create", args=[theirs.pk]), {"quote": "a"}
        ).status_code
        == 404
    )
    assert client_logged_in.post(reverse("articles:highlight_delete", args=[h.pk])).status_code == 404
    assert Highlight.objects.count() == 1


def test_delete_highlight(client_logged_in, ready):
    h = HighlightFactory(article=ready, quote="lazy dog")
    response = client_logged_in.post(reverse("articles:highlight_delete", args=[h.pk]))
    assert response.status_code == 302 and not Highlight.objects.exists()


def test_reader_links_to_exports_of_the_article(client_logged_in, ready):
    page = client_logged_in.get(reverse("articles:reader", args=[ready.pk])).content.decode()
    assert f"/export/?format=epub&amp;article={ready.pk}" in page


@pytest.mark.parametrize(
    "anchor",
    [{"start": "notanumber"}, {"start": -5}, {"start": None}, {"start": [1]}, {"start": True}, [1, 2]],
)
def test_reader_survives_a_bad_stored_anchor(client_logged_in, ready, anchor):
    """Issue 21.6: a highlight row whose anchor is not what the reader expects (written before the service
    checked anchors) must not make the reader answer 500; the quote is still found by its text."""
    h = HighlightFactory(article=ready, quote="brown fox jumps", anchor=anchor)
    response = client_logged_in.get(reverse("articles:reader", args=[ready.pk]))
    assert response.status_code == 200
    assert f"<b>{_m(h)}brown fox</mark></b>{_m(h)} jumps</mark>" in response.content.decode()


def test_imported_highlight_with_a_bad_anchor_is_stored_clean_and_readable(client_logged_in, user):
    """Issue 21.6, the attack itself: a Folio JSON import whose highlight anchor is {"start": "notanumber"}.
    The import door stores the highlight through the highlights service's rules (bad position dropped) and
    the reader shows it."""
    import json

    from articles import services

    data = json.dumps(
        {
            "folio_export": 1,
            "articles": [
                {
                    "url": "https://example.com/anchored",
                    "title": "Anchored",
                    "status": "ready",
                    "content_html": "<p>The quick brown fox jumps over the lazy dog.</p>",
                    "content_text": "The quick brown fox jumps over the lazy dog.",
                    "highlights": [
                        {"quote": "brown fox", "anchor": {"start": "notanumber", "prefix": "quick "}},
                        {"quote": "  ", "anchor": {}},
                        {"quote": "x" * 6000},
                    ],
                }
            ],
        }
    ).encode()
    job = services.import_create(user=user, data=data, filename="folio.json", enqueue=False)
    services.import_run(import_id=job.pk)
    (highlight,) = Highlight.objects.filter(article__user=user)
    assert highlight.anchor == {"prefix": "quick "}
    response = client_logged_in.get(reverse("articles:reader", args=[highlight.article_id]))
    assert response.status_code == 200 and f"{_m(highlight)}brown fox</mark>" in response.content.decode()
