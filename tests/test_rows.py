"""The library rows' view-model (articles/rows.py) and the reader's extraction summary in plain words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from articles import queries
from articles.models import ArticleImage
from articles.rows import extraction_summary, library_row, library_rows, search_rows
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_row_of_a_half_read_favorite_with_a_kept_lead_image(user):
    article = ArticleFactory(
        user=user,
        ready=True,
        title="Keepers",
        site_name="The Islands",
        word_count=2400,
        progress_percent=42.7,
        is_favorite=True,
        saved_at=datetime(2026, 11, 3, 9, tzinfo=UTC),
        excerpt="word " * 100,
    )
    article.tags.add(TagFactory(user=user, name="sea"))
    ArticleImage.objects.create(
        article=article,
        user=user,
        source_url="https://x/lead.jpg",
        is_lead=True,
        status="stored",
        digest="a" * 64,
        content_type="image/jpeg",
        width=800,
        height=450,
    )
    [loaded] = queries.article_page(user=user, view="all").articles
    row = library_row(loaded, now=NOW)
    assert row.title == "Keepers" and row.site == "The Islands" and row.site_url == "/sites/The%20Islands/"
    assert row.saved_label == "3 Nov" and row.reading_time == article.reading_time_minutes
    assert row.progress == 42 and not row.is_read and row.is_favorite
    assert row.thumbnail_url == f"/images/{'a' * 64}.jpg"
    assert [t.name for t in row.tags] == ["sea"]
    assert len(row.excerpt) <= 200 and row.excerpt.endswith("…")
    assert "is-favorite" in row.classes and row.reader_url == f"/articles/{article.pk}/"


def test_read_failed_and_old_rows(user):
    read = ArticleFactory(user=user, ready=True, read=True, saved_at=datetime(2025, 5, 1, tzinfo=UTC))
    failed = ArticleFactory(user=user, failed=True, site_name="")
    rows = {r.pk: r for r in library_rows([read, failed], selected={failed.pk})}
    assert rows[read.pk].progress is None and rows[read.pk].saved_label == "1 May 2025"
    assert rows[read.pk].thumbnail_url == "" and not rows[read.pk].selected
    assert rows[failed.pk].is_failed and rows[failed.pk].site_url == "" and rows[failed.pk].selected


def test_extraction_summary_in_plain_words():
    assert extraction_summary(None) == ""
    assert extraction_summary({"extractor": "trafilatura"}) == "Extracted with trafilatura."
    log = {
        "extractor": "readability",
        "fallbacks": [{"extractor": "trafilatura", "because": ["menu_like"]}],
        "removed": ["a", "b"],
        "images": {"lazy": 1, "dropped": 0},
        "warnings": ["agreement_low"],
    }
    assert extraction_summary(log) == (
        "Extracted with readability (after trying trafilatura); 3 fixes applied; 1 warning."
    )


# --- search result rows (rows.search_row, printed by templates/jinja2/articles/_search_rows.html) ---------


def test_search_rows_escape_text_and_keep_the_headline_marks(client_logged_in, user):
    from datetime import date

    from articles.search import article_search

    marked = ArticleFactory(
        user=user,
        ready=True,
        title='Pruning <script>alert("x")</script> & care',
        site_name="Orchards & <Co>",
        published=date(2025, 3, 4),
        content_text="How to prune an orchard in <b>winter</b>.",
        content_html="<p>How to prune an orchard in winter.</p>",
    )
    marked.tags.add(TagFactory(user=user, name='<img src=x onerror="y">'))
    ArticleFactory(
        user=user,
        ready=True,
        title="Second orchard",
        saved_at=datetime(2026, 11, 3, 9, tzinfo=UTC),
        content_text="Another orchard.",
        content_html="<p>Another orchard.</p>",
    )
    page = article_search(user=user, query="orchard")
    rows = {row.title: row for row in search_rows(page.results, reader_suffix="?q=orchard")}
    first = rows[marked.display_title]
    assert first.date_label == "4 Mar 2025" and first.date_iso == "2025-03-04"
    assert first.reader_url == f"/articles/{marked.pk}/?q=orchard"
    assert "<mark>" in first.headline and "<script" not in first.headline
    assert rows["Second orchard"].date_label == "saved 3 Nov 2026"

    body = client_logged_in.get(
        "/search/", {"q": "orchard"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    ).content.decode()
    assert "Pruning &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; care" in body
    assert "Orchards &amp; &lt;Co&gt;" in body and "&lt;img src=x onerror=&#34;y&#34;&gt;" in body
    assert "<script" not in body and "<img src=x" not in body
    assert '<p class="headline">' in body and "<mark>" in body.split('class="headline"', 1)[1]
    assert '<time datetime="2026-11-03">saved 3 Nov 2026</time>' in body
