"""The query language on an entry's text (articles.search.matching), as a feed's "keep only" option uses it."""

from __future__ import annotations

from datetime import date

import pytest

from articles.search import MatchItem, query_matches_item, search_query_parse

ITEM = MatchItem(
    title="Running with Python",
    text="A story about snakes and the new release of the café's menu",
    url="https://www.python.org/news/1",
    author="Guido van Rossum",
    language="en",
    tags=("Tech",),
    published=date(2026, 11, 30),
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", True),
        ("run", True),  # stemmed like the search
        ("runs python", True),
        ("java", False),
        ("python -java", True),
        ("python -snakes", False),
        ('"new release"', True),
        ('"release new"', False),
        ("snak*", True),
        ("title:snakes", False),
        ("title:python", True),
        ("java OR snakes", True),
        ("cafe", True),  # diacritics folded
        ("site:python.org", True),
        ("site:example.com", False),
        ("-site:python.org", False),
        ("author:guido", True),
        ("tag:tech", True),
        ("tag:other", False),
        ("lang:en", True),
        ("is:unread", True),
        ("is:archived", False),
        ("after:2026-11-01", True),
        ("before:2026-11-01", False),
    ],
)
def test_query_on_an_entry(query, expected):
    assert query_matches_item(search_query_parse(query), ITEM) is expected


def test_unknown_language_reads_english_stems_and_the_words():
    item = MatchItem(title="Baking breads", text="Schöne Grüße")
    assert query_matches_item(search_query_parse("bread"), item)
    assert query_matches_item(search_query_parse("grüße"), item)
