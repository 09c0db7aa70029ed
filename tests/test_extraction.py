"""Extraction on the seed page and on small pages for each clean-up rule."""

import datetime as dt
import json
import re

import pytest

from articles import extraction, sanitizing
from tests.pageserver import SEED_DIR

SEED_URL = "https://voz.us/en/world/250408/russia-taliban-terrorist-list.html"


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seed():
    html = (SEED_DIR / "voz-russia-taliban.html").read_text()
    expected = json.loads((SEED_DIR / "voz-russia-taliban.expected.json").read_text())
    return extraction.extract(html, SEED_URL), expected


def test_seed_body_paragraphs_and_headings_all_present(seed):
    result, expected = seed
    text = collapse(result.text)
    for paragraph in expected["body_paragraphs"] + expected["body_headings"]:
        assert collapse(paragraph) in text


def test_seed_page_furniture_absent(seed):
    result, expected = seed
    html = sanitizing.clean(result.html, SEED_URL)
    for furniture in expected["must_not_contain"]:
        assert furniture not in result.text
        assert furniture not in html


def test_seed_metadata_exact(seed):
    result, expected = seed
    assert result.title == expected["title"]
    assert result.author == expected["author"]
    assert result.published.isoformat() == expected["published"]
    assert result.site_name == expected["site_name"]
    assert result.language == expected["language"]
    assert result.lead_image == expected["lead_image"]
    assert result.excerpt == expected["excerpt"]
    assert result.canonical_url == expected["url"]


def test_title_not_repeated_at_top_of_body(seed):
    result, _ = seed
    assert not result.html.lstrip().startswith("<h1")
    assert result.title not in result.text.split("\n\n")[0]


def _page(body: str, head: str = "") -> str:
    return f"<html lang='en'><head><title>A test page</title>{head}</head><body><article>{body}</article></body></html>"


LOREM = " ".join(
    f"Sentence number {i} explains a different idea about gardens, rivers and the making of bread."
    for i in range(12)
)


def test_edge_calls_to_action_removed_but_body_kept():
    body = (
        f"<p>Sign up for our newsletter!</p><p>{LOREM}</p><h2>A real heading</h2><p>{LOREM}</p>"
        "<p>Share this article on X</p><p>© 2025 Example Media. All rights reserved.</p>"
    )
    result = extraction.extract(_page(body), "https://example.com/a")
    assert "A real heading" in result.text
    assert "newsletter" not in result.text
    assert "Share this" not in result.text
    assert "All rights reserved" not in result.text


def test_call_to_action_words_inside_the_body_are_kept():
    body = f"<p>{LOREM}</p><p>Readers can subscribe to the idea that rivers shape towns.</p><p>{LOREM}</p>"
    result = extraction.extract(_page(body), "https://example.com/a")
    assert "subscribe to the idea" in result.text


def test_structure_lists_quotes_code_tables_kept():
    body = (
        f"<p>{LOREM}</p><ul><li>first point</li><li>second point</li></ul>"
        "<blockquote><p>A quoted line from someone.</p></blockquote>"
        "<pre><code>print('hello')</code></pre>"
        "<table><tr><th>Year</th><th>Count</th></tr><tr><td>2024</td><td>12</td></tr></table>"
        f"<p>{LOREM}</p>"
    )
    result = extraction.extract(_page(body), "https://example.com/a")
    html = sanitizing.clean(result.html, "https://example.com/a")
    for fragment in ("<li>first point</li>", "<blockquote>", "print('hello')", "<table>", "2024"):
        assert fragment in html
    assert "first point" in result.text and "2024" in result.text


def test_language_detected_when_not_declared():
    text = " ".join(
        ["El gobierno anunció hoy nuevas medidas para la economía del país y los trabajadores."] * 8
    )
    html = f"<html><head><title>Noticia</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>"
    assert extraction.extract(html, "https://example.es/n").language == "es"


def test_future_date_is_dropped():
    head = '<meta property="article:published_time" content="2999-01-01T00:00:00Z">'
    result = extraction.extract(
        _page(f"<p>{LOREM}</p>", head), "https://example.com/a", today=dt.date(2026, 1, 1)
    )
    assert result.published is None


def test_empty_page_raises_extraction_error():
    with pytest.raises(extraction.ExtractionError):
        extraction.extract("<html><body><nav>Home</nav></body></html>", "https://example.com/")
    with pytest.raises(extraction.ExtractionError):
        extraction.extract("", "https://example.com/")


def test_plain_text_paragraphs():
    result = extraction.extract_plain_text(
        "First para line.\n\nSecond para <b>here</b>.", "https://e.com/x.txt"
    )
    assert result.html == "<p>First para line.</p><p>Second para &lt;b&gt;here&lt;/b&gt;.</p>"
    assert result.word_count == 8  # the tag characters are literal text in a text file


def test_reading_time_rounds_up():
    from articles.models import Article

    assert Article.reading_time_for(0) == 0
    assert Article.reading_time_for(1) == 1
    assert Article.reading_time_for(238) == 1
    assert Article.reading_time_for(239) == 2
