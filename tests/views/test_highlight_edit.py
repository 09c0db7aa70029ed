"""The reader's highlight endpoints as the selection toolbar and popover use them: create with a colour,
edit colour and note, delete; htmx answers are the highlights section plus the body marked again
(out-of-band), and the plain forms keep working without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.highlighting import mark_highlights
from articles.models import Highlight
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ready(user):
    return ArticleFactory(
        user=user,
        url="https://example.com/colours",
        status="ready",
        title="Colours",
        content_html="<p>The quick <b>brown fox</b> jumps over the lazy dog.</p><p>Second line.</p>",
    )


def test_create_with_colour_plain_form(client_logged_in, ready):
    response = client_logged_in.post(
        reverse("articles:highlight_create", args=[ready.pk]),
        {"quote": "lazy dog", "color": "green", "start": "36", "end": "44"},
    )
    h = Highlight.objects.get()
    assert response.status_code == 302 and (h.color, h.anchor["start"], h.anchor["end"]) == ("green", 36, 44)
    page = client_logged_in.get(reverse("articles:reader", args=[ready.pk])).content.decode()
    assert f'<mark class="hl hl-green" data-highlight-id="{h.pk}" data-color="green">lazy dog</mark>' in page


def test_create_htmx_answers_section_and_marked_body(client_logged_in, ready):
    response = client_logged_in.post(
        reverse("articles:highlight_create", args=[ready.pk]),
        {"quote": "Second line", "color": "pink"},
        **HTMX,
    )
    h = Highlight.objects.get()
    html = response.content.decode()
    assert response.status_code == 200 and h.color == "pink"
    assert '<section class="highlights" id="highlights"' in html and "<html" not in html
    assert '<div id="reader-body" hx-swap-oob="innerHTML">' in html
    assert f'data-highlight-id="{h.pk}" data-color="pink">Second line</mark>' in html


@pytest.mark.parametrize("face", ["plain", "htmx"])
def test_unknown_colour_is_refused_and_nothing_stored(client_logged_in, ready, face):
    extra = HTMX if face == "htmx" else {}
    response = client_logged_in.post(
        reverse("articles:highlight_create", args=[ready.pk]),
        {"quote": "lazy dog", "color": "purple"},
        follow=face == "plain",
        **extra,
    )
    assert (
        response.status_code == 200
        and "colour is one of yellow, green, blue, pink" in response.content.decode()
    )
    assert not Highlight.objects.exists()


def test_edit_colour_and_note(client_logged_in, ready):
    h = HighlightFactory(article=ready, quote="brown fox", note="old")
    url = reverse("articles:highlight_update", args=[h.pk])
    response = client_logged_in.post(url, {"color": "blue"}, **HTMX)
    h.refresh_from_db()
    assert response.status_code == 200 and (h.color, h.note) == ("blue", "old")
    assert f'data-highlight-id="{h.pk}" data-color="blue">brown fox</mark>' in response.content.decode()
    response = client_logged_in.post(url, {"note": "  new thought  "})
    h.refresh_from_db()
    assert response.status_code == 302 and response["Location"].endswith(f"#highlight-{h.pk}")
    assert (h.color, h.note) == ("blue", "new thought")


def test_edit_refused_keeps_the_highlight(client_logged_in, ready):
    h = HighlightFactory(article=ready, quote="brown fox", note="keep", color="green")
    response = client_logged_in.post(
        reverse("articles:highlight_update", args=[h.pk]), {"note": "x" * 10_001, "color": "blue"}, **HTMX
    )
    h.refresh_from_db()
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert (h.note, h.color) == ("keep", "green")


def test_edit_and_delete_of_others_are_404(client_logged_in, other_user):
    theirs = HighlightFactory(
        article=ArticleFactory(user=other_user, url="https://x.example/"), quote="secret"
    )
    assert (
        client_logged_in.post(
            reverse("articles:highlight_update", args=[theirs.pk]), {"color": "blue"}
        ).status_code
        == 404
    )
    assert (
        client_logged_in.post(reverse("articles:highlight_delete", args=[theirs.pk]), **HTMX).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.color == "yellow"


def test_delete_htmx_removes_the_mark(client_logged_in, ready):
    h = HighlightFactory(article=ready, quote="brown fox")
    response = client_logged_in.post(reverse("articles:highlight_delete", args=[h.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and not Highlight.objects.exists()
    assert "data-highlight-id" not in html and "<b>brown fox</b>" in html


def test_article_cannot_fake_a_highlight_mark():
    """An article's own <mark> attributes are dropped, so only Folio's highlights open the popover."""
    html, found = mark_highlights(
        '<p><mark class="hl hl-pink" data-highlight-id="7" data-color="pink">bait</mark> and text</p>',
        [(3, "text", 0, "blue")],
    )
    assert found == {3}
    assert (
        html
        == '<p><mark>bait</mark> and <mark class="hl hl-blue" data-highlight-id="3" data-color="blue">text</mark></p>'
    )


def test_highlight_list_offers_an_edit_form_without_javascript(client_logged_in, ready):
    h = HighlightFactory(article=ready, quote="brown fox", color="blue")
    page = client_logged_in.get(reverse("articles:reader", args=[ready.pk])).content.decode()
    assert f'action="{reverse("articles:highlight_update", args=[h.pk])}"' in page
    assert 'value="blue" checked' in page and "js/listen.js" in page and 'id="listen"' in page


def test_stored_article_html_never_keeps_highlight_attributes():
    from articles import sanitizing

    bait = '<p><mark class="hl hl-pink match" data-highlight-id="7" data-color="pink">bait</mark></p>'
    assert sanitizing.clean(bait) == '<p><mark class="match">bait</mark></p>'


def test_anchor_end_is_an_offset_or_dropped():
    from articles.services.highlights import highlight_anchor_clean

    assert highlight_anchor_clean({"start": 3, "end": 9}) == {"start": 3, "end": 9}
    assert highlight_anchor_clean({"start": 3, "end": "9"}) == {"start": 3}
    assert highlight_anchor_clean({"end": -1, "prefix": "a"}) == {"prefix": "a"}
