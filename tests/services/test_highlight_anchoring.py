"""Highlights survive re-extraction (issue 17 item 2): after a refetch each highlight is placed again by its
quote and the text around it (W3C Web Annotation TextQuoteSelector, with the old offset as a hint), and one
whose text is gone is flagged ``orphaned`` and listed as such in the reader, not lost. A real article (the
seed page) is extracted, changed on the page server and refetched through the same function the worker
runs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from articles import services
from articles.highlighting import reanchor, text_of
from articles.models import Highlight
from articles.services.highlights import highlight_create
from tests.pageserver import SEED_DIR

pytestmark = pytest.mark.django_db

KEPT = "the hearing is scheduled for April 17"
REPEATED = "strengthen ties with actors that can counter its international isolation"
GONE = "Putin signed a law allowing for the temporary suspension of bans"


def _anchor(text: str, quote: str, occurrence: int = 0) -> dict:
    start = [m.start() for m in re.finditer(re.escape(quote), text)][occurrence]
    end = start + len(quote)
    return {
        "start": start,
        "end": end,
        "prefix": text[max(0, start - 64) : start],
        "suffix": text[end : end + 64],
    }


def _quote_at(text: str, anchor: dict) -> str:
    return " ".join(text[anchor["start"] : anchor["end"]].split())


def test_refetch_places_highlights_again_and_flags_the_lost_one(user, page_server, client_logged_in):
    html = (SEED_DIR / "voz-russia-taliban.html").read_text()
    url = page_server.add("/listen/taliban.html", html)
    article, _ = services.article_save_url(origin="form", user=user, url=url)
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    text = text_of(article.content_html)
    assert text.count(REPEATED) == 1 and KEPT in text and GONE in text
    kept = highlight_create(user=user, article_id=article.pk, quote=KEPT, anchor=_anchor(text, KEPT))
    second = highlight_create(
        user=user, article_id=article.pk, quote=REPEATED, anchor=_anchor(text, REPEATED), color="blue"
    )
    gone = highlight_create(
        user=user, article_id=article.pk, quote=GONE, anchor=_anchor(text, GONE), note="n"
    )

    # The page changes: a short paragraph holding the same phrase just before the highlighted one (its
    # phrase then sits nearer the old offset than the highlighted one does: only the context tells them
    # apart), and the paragraph with GONE removed.
    paragraphs = re.findall(r"<p[^>]*>.*?</p>", html, re.S)
    lost = next(p for p in paragraphs if "Putin signed a law" in p)
    holder = next(p for p in paragraphs if "Russia is seeking to strengthen" in p)
    changed = html.replace(
        holder, "<p>Update: Moscow wants to " + REPEATED + ", analysts said.</p>" + holder
    ).replace(lost, "")
    page_server.add("/listen/taliban.html", changed)
    assert services.article_retry(user=user, ids=[article.pk]) == 1
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    new_text = text_of(article.content_html)
    assert new_text.count(REPEATED) == 2 and GONE not in new_text and new_text != text

    kept.refresh_from_db(), second.refresh_from_db(), gone.refresh_from_db()
    assert "orphaned" not in kept.anchor and _quote_at(new_text, kept.anchor) == KEPT
    assert kept.anchor["start"] == _anchor(new_text, KEPT)["start"]
    # Still the passage after "Russia is seeking to", now the second occurrence, although the new one is
    # nearer the old offset.
    new_one, old_one = (_anchor(new_text, REPEATED, i)["start"] for i in (0, 1))
    old_start = _anchor(text, REPEATED)["start"]
    assert abs(new_one - old_start) < abs(old_one - old_start)
    assert _quote_at(new_text, second.anchor) == REPEATED and "orphaned" not in second.anchor
    assert second.anchor["start"] == old_one
    assert second.anchor["prefix"].endswith("Russia is seeking to ")
    assert gone.anchor["orphaned"] is True and gone.anchor["start"] == _anchor(text, GONE)["start"]
    assert Highlight.objects.filter(article=article).count() == 3

    page = client_logged_in.get(reverse("articles:reader", args=[article.pk])).content.decode()
    assert page.count("can no longer be placed in the text") == 1
    orphan_item = page.split(f'id="highlight-{gone.pk}"', 1)[1].split("</li>", 1)[0]
    assert "can no longer be placed in the text" in orphan_item
    marks = re.findall(r'<mark class="hl hl-\w+" data-highlight-id="(\d+)"', page)
    assert str(kept.pk) in marks and str(second.pk) in marks and str(gone.pk) not in marks


def test_reanchor_prefers_context_then_position():
    text = "one two three. one two four. one two three."
    assert reanchor(text, "one two", {"suffix": " four"})["start"] == 15
    assert reanchor(text, "one two", {"start": 29})["start"] == 29
    assert reanchor(text, "one   two\nthree", {"prefix": "four. "}) == {
        "start": 29,
        "end": 42,
        "prefix": "one two three. one two four. ",
        "suffix": ".",
    }
    assert reanchor(text, "five", {"start": 3}) is None


def test_reanchor_clears_the_flag_when_the_text_comes_back():
    anchor = {"start": 4, "orphaned": True, "ranges": [{"start": "/p[1]"}]}
    placed = reanchor("abc quote here", "quote", anchor)
    assert "orphaned" not in placed and placed["ranges"] == anchor["ranges"] and placed["start"] == 4
