"""Extraction quality: a sample of the scrapinghub-aeb corpus scored with the shared scorer, and one small
page of our own for each kind of failure the clean-up and the fallback handle."""

import datetime as dt
import sys
from pathlib import Path

import pytest

from articles import extraction, sanitizing

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from corpus_common import corpus_pages, score

URL = "https://news.example.com/2024/05/a-story"
PARAGRAPHS = [
    f"Paragraph {i} of the story tells how the river town rebuilt its {thing} after the long flood "
    "of that year."
    for i, thing in enumerate(
        ["bridge", "mill", "school", "market", "library", "harbour", "station", "chapel"]
    )
]


def prose(start: int = 0, stop: int = 8) -> str:
    return "".join(f"<p>{p}</p>" for p in PARAGRAPHS[start:stop])


def page(body: str, head: str = "", title: str = "A story | Example News") -> str:
    return (
        f"<html lang='en'><head><title>{title}</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>{body}"
        "<footer><p>About us · Contact · Jobs</p></footer></body></html>"
    )


def text_of(html: str, **kwargs) -> str:
    return extraction.extract(html, URL, **kwargs).text


def assert_story(text: str) -> None:
    for paragraph in PARAGRAPHS:
        assert paragraph in text


# --------------------------------------------------------------------------- the corpus sample


def test_corpus_sample_f1():
    """15 pages spread over the corpus; the whole corpus is scored by bench/extraction_bench.py."""
    pages = corpus_pages(15)
    predictions = {}
    for page_id, url, html in pages:
        try:
            predictions[page_id] = extraction.extract(html, url).text
        except extraction.ExtractionError:
            predictions[page_id] = ""
    summary = score(predictions)["summary"]
    assert summary["f1"] >= 0.96, summary["report"]


# --------------------------------------------------------------------------- comments


def test_reader_comment_thread_left_out():
    comments = "".join(
        f"<li class='comment'><p class='comment-author'>reader{i}</p><p>I disagree with this piece entirely, "
        f"comment number {i} says, and the mill was never the problem.</p></li>"
        for i in range(6)
    )
    html = page(
        f"<article>{prose()}</article><section id='comments' class='comments'><h3>6 comments</h3>"
        f"<ol class='comment-list'>{comments}</ol></section>"
    )
    text = text_of(html)
    assert_story(text)
    assert "I disagree" not in text and "reader1" not in text


# --------------------------------------------------------------------------- head of the article


def test_headline_standfirst_byline_timestamp_and_hidden_metadata_left_out():
    html = page(
        "<article><h1>The river town rebuilt</h1>"
        "<h2 class='standfirst'>How a small town came back after a flood that took almost everything.</h2>"
        "<p class='byline'>By Jane Doe</p><p>Published 12:30 PM, May 3, 2024</p>"
        "<div hidden><p>internal-id 88123 section world priority high embargo none</p></div>"
        "<div style='display:none'>tracking metadata block for the print edition of this story</div>"
        f"{prose()}</article>",
        head="<meta property='og:title' content='The river town rebuilt'><meta name='author' "
        "content='Jane Doe'>",
    )
    result = extraction.extract(html, URL)
    assert_story(result.text)
    for furniture in (
        "The river town rebuilt",
        "How a small town",
        "Jane Doe",
        "12:30",
        "internal-id",
        "tracking metadata",
    ):
        assert furniture not in result.text
    assert result.title == "The river town rebuilt"
    assert result.author == "Jane Doe"


# --------------------------------------------------------------------------- edges of the body


def test_edge_furniture_left_out():
    html = page(
        "<article><p>Share this article on Facebook</p>"
        f"{prose()}"
        "<p>Found a mistake? Let us know.</p>"
        "<p>Sign up for our daily newsletter to get the top stories.</p>"
        "<p>Subscribe to continue reading. Already a subscriber? Log in.</p>"
        "<p>© 2024 Example News. All rights reserved.</p>"
        "<h3>Top stories</h3><ul><li><a href='/a'>Mayor resigns</a></li><li><a href='/b'>Rain "
        "again</a></li></ul>"
        "</article>"
    )
    text = text_of(html)
    assert_story(text)
    for furniture in (
        "Share this",
        "Found a mistake",
        "newsletter",
        "already a subscriber",
        "All rights",
        "Top stories",
        "Mayor resigns",
    ):
        assert furniture.lower() not in text.lower()


def test_related_stories_section_and_inline_teasers_left_out():
    html = page(
        f"<article>{prose(0, 4)}<p><strong>READ MORE: <a href='/x'>Flood defences fail in the "
        "north</a></strong></p>"
        f"<p><a href='/y'>Twenty towns still wait for help after the storm</a></p>{prose(4, 8)}"
        "<h2>Related stories</h2><p><a href='/z'>The mill reopens</a></p><p>A short teaser of that "
        "other story.</p>"
        "</article>"
    )
    text = text_of(html)
    assert_story(text)
    for furniture in ("READ MORE", "Flood defences", "Twenty towns", "Related stories", "The mill reopens"):
        assert furniture not in text


# --------------------------------------------------------------------------- bodies in pieces


def test_body_split_over_containers_with_ads_between_is_whole():
    long_paragraphs = [p + " " + p for p in PARAGRAPHS]
    first = "".join(f"<p>{p}</p>" for p in long_paragraphs[:4])
    second = "".join(f"<p>{p}</p>" for p in long_paragraphs[4:])
    ad = "<div class='ad-slot advertisement'><a href='https://ads.example.net/c'>Buy a boat today</a></div>"
    related = "".join(
        f"<li><a href='/r{i}'>Other story number {i} about another town</a></li>" for i in range(12)
    )
    html = page(
        f"<main><div class='article-body'>{first}</div>{ad}<aside class='sidebar'><ul>{related}</ul></aside>"
        f"<div class='article-body'>{second}</div></main>"
    )
    result = extraction.extract(html, URL)
    for paragraph in long_paragraphs:
        assert paragraph in result.text
    assert "Buy a boat" not in result.text


def test_lead_paragraph_in_separate_container_kept():
    lead = (
        "The town of Riverford, population 4,000, has rebuilt almost everything the flood of last "
        "spring took."
    )
    html = page(
        f"<article><div class='lead'><p>{lead}</p></div><div class='content'>{prose()}</div></article>",
        head=f"<meta name='description' content='{lead}'>",
    )
    text = text_of(html)
    assert lead in text
    assert_story(text)


# --------------------------------------------------------------------------- structure kept


def test_lists_tables_subheadings_and_captions_kept():
    html = page(
        f"<article>{prose(0, 3)}<h2>What was rebuilt</h2><ul><li>The old stone bridge</li><li>The "
        "grain mill</li></ul>"
        "<table><tr><th>Year</th><th>Cost</th></tr><tr><td>2023</td><td>4 million</td></tr></table>"
        "<figure><img src='/img/bridge.jpg' alt='bridge'><figcaption>The new bridge at dawn, seen "
        "from the east bank.</figcaption></figure>"
        f"{prose(3, 8)}</article>"
    )
    result = extraction.extract(html, URL)
    html_out = sanitizing.clean(result.html, URL)
    assert_story(result.text)
    for fragment in ("What was rebuilt", "The old stone bridge", "4 million"):
        assert fragment in result.text
    assert "<figcaption>The new bridge at dawn" in html_out
    assert "The new bridge at dawn" not in result.text  # captions are not prose of the article
    assert "https://news.example.com/img/bridge.jpg" in html_out


def test_embedded_social_post_kept_as_quotation():
    tweet = (
        "<blockquote class='twitter-tweet'><p>The bridge is open again and the whole town came out to walk "
        "across it this morning.</p>&mdash; Riverford Council (@riverford) <a "
        "href='https://x.com/s/1'>May 3, 2024</a>"
        "</blockquote>"
    )
    text = text_of(page(f"<article>{prose(0, 4)}<div class='embed'>{tweet}</div>{prose(4, 8)}</article>"))
    assert "The bridge is open again" in text


# --------------------------------------------------------------------------- images


def test_lazy_images_become_normal_images_and_trackers_go():
    images = (
        "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='/img/lazy.jpg' alt='lazy one'>"
        "<img class='lazyload' data-srcset='/img/small.jpg 320w, /img/large.jpg 1024w' alt='srcset one'>"
        "<img src='/img/placeholder.gif' alt='x'><noscript><img "
        "src='https://cdn.example.com/real.jpg' alt='real'></noscript>"
        "<picture><source srcset='/img/pic-800.webp 800w, /img/pic-1600.webp 1600w'><img "
        "alt='picture one'></picture>"
        "<img src='https://tracker.example.net/pixel.gif?id=1' width='1' height='1' alt=''>"
        "<img src='/icons/share.png' width='16' height='16' alt='share'>"
    )
    html = page(f"<article>{prose(0, 4)}<figure>{images}</figure>{prose(4, 8)}</article>")
    result = extraction.extract(html, URL)
    html_out = sanitizing.clean(result.html, URL)
    for src in (
        "https://news.example.com/img/lazy.jpg",
        "https://news.example.com/img/large.jpg",
        "https://cdn.example.com/real.jpg",
        "https://news.example.com/img/pic-1600.webp",
    ):
        assert src in html_out, src
    for junk in ("pixel.gif", "share.png", "placeholder.gif", "data:image"):
        assert junk not in html_out
    assert result.log["images"]["lazy"] >= 3 and result.log["images"]["dropped"] >= 2


# --------------------------------------------------------------------------- metadata


def test_metadata_from_json_ld_first():
    head = (
        '<script type=\'application/ld+json\'>{"@context":"https://schema.org","@type":"NewsArticle",'
        '"headline":"Riverford rebuilds after the flood","datePublished":"2024-05-03T08:00:00Z",'
        '"author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"Omar Ali"},'
        '{"@type":"Organization","name":"Example News"}],"image":"https://news.example.com/lead.jpg",'
        '"publisher":{"@type":"Organization","name":"Example News"}}</script>'
        "<meta property='og:title' content='Riverford rebuilds | Example News'>"
        "<meta property='og:site_name' content='Example News'>"
        "<script>var published = '2031-01-01'; var related = {date: '2030-12-24'};</script>"
    )
    html = page(
        f"<article><h1>Riverford rebuilds after the flood</h1>{prose()}</article>"
        "<div class='comments'><p class='comment-author'>By Troll King</p><p>First!</p></div>",
        head=head,
        title="Riverford rebuilds after the flood - Example News",
    )
    result = extraction.extract(html, URL, today=dt.date(2024, 6, 1))
    assert result.title == "Riverford rebuilds after the flood"
    assert result.author == "Jane Doe, Omar Ali"
    assert result.published == dt.date(2024, 5, 3)
    assert result.site_name == "Example News"
    assert result.lead_image == "https://news.example.com/lead.jpg"
    assert result.language == "en"


def test_title_without_site_segment_and_no_future_or_script_date():
    head = (
        "<meta property='og:site_name' content='Example News'>"
        "<meta property='article:published_time' content='2031-01-01T00:00:00Z'>"
        '<script>window.__DATA__ = {"date": "2024-01-01"};</script>'
    )
    html = page(
        f"<article>{prose()}</article>", head=head, title="Riverford rebuilds after the flood | Example News"
    )
    result = extraction.extract(html, URL, today=dt.date(2024, 6, 1))
    assert result.title == "Riverford rebuilds after the flood"
    assert result.published is None
    assert "no date" in result.log["warnings"]


# --------------------------------------------------------------------------- the log


def test_log_records_winner_fallback_scores_and_warnings():
    menu = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(40))
    story = "".join(f"<p>{p} {p}</p>" for p in PARAGRAPHS)
    html = page(f"<div class='menu'><ul>{menu}</ul></div><div id='story'>{story}</div>")
    result = extraction.extract(html, URL)
    log = result.log
    assert log["extractor"] in ("trafilatura", "trafilatura-full")
    assert "trafilatura" in log["scores"] and "words" in log["scores"]["trafilatura"]
    assert isinstance(log["fallbacks"], list) and isinstance(log["warnings"], list)
    short = extraction.extract(
        page("<article><p>Only a few words are on this page at all, twelve or so.</p></article>"), URL
    )
    assert "very short" in short.log["warnings"]
    assert [f["extractor"] for f in short.log["fallbacks"]] == ["trafilatura-full"]
    assert "too short" in short.log["fallbacks"][0]["because"]


@pytest.mark.parametrize("bad", ["", "   ", "<html><body><nav><a href='/'>Home</a></nav></body></html>"])
def test_no_article_raises(bad):
    with pytest.raises(extraction.ExtractionError):
        extraction.extract(bad, URL)
