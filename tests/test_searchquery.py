"""The search query language: one parser for the search box, the API and saved searches."""

from datetime import date

import pytest

from articles.search.query import Filter, Term, search_query_parse


def test_words_phrases_or_exclusions_prefixes():
    q = search_query_parse('climate "carbon tax" policy OR politics -coal -"fossil fuel" renew*')
    assert q.groups == [
        [Term("climate")],
        [Term("carbon tax", "phrase")],
        [Term("policy"), Term("politics")],
        [Term("renew", "prefix")],
    ]
    assert q.excluded == [Term("coal"), Term("fossil fuel", "phrase")]
    assert q.has_text and not q.filters


def test_filters():
    q = search_query_parse(
        'tag:"long read" site:https://www.Example.com/ author:smith lang:ES is:Unread is:archived '
        "is:favorite before:2024-02-01 after:2023-12-31 -tag:done -is:read"
    )
    assert q.filters == [
        Filter("tag", "long read"),
        Filter("site", "example.com"),
        Filter("author", "smith"),
        Filter("lang", "es"),
        Filter("is", "unread"),
        Filter("is", "archived"),
        Filter("is", "favorite"),
        Filter("before", date(2024, 2, 1)),
        Filter("after", date(2023, 12, 31)),
        Filter("tag", "done", negated=True),
        Filter("is", "read", negated=True),
    ]
    assert not q.has_text


def test_title_filter_is_a_title_term():
    q = search_query_parse('title:budget title:"state of the union" -title:draft')
    assert q.groups == [[Term("budget", "word", "title")], [Term("state of the union", "phrase", "title")]]
    assert q.excluded == [Term("draft", "word", "title")]


@pytest.mark.parametrize(
    "raw",
    [
        '"unclosed phrase',
        "foo:bar",
        "before:yesterday",
        "is:nothing",
        "lang:???",
        "(((",
        "*",
        "-",
        "OR",
        "OR OR a",
        "title:",
        '""',
        "tag:",
        "a OR",
        ":::",
        '-""',
        "\x00",
        "é" * 2000,
        "a " * 500,
    ],
)
def test_malformed_queries_never_raise(raw):
    q = search_query_parse(raw)
    assert len(q.groups) + len(q.excluded) + len(q.filters) <= 32


def test_malformed_pieces_are_read_as_words():
    assert search_query_parse("foo:bar").groups == [[Term("foo:bar")]]
    assert search_query_parse("before:yesterday").groups == [[Term("before:yesterday")]]
    assert search_query_parse('"unclosed phrase').groups == [[Term("unclosed phrase", "phrase")]]
    assert search_query_parse("http://example.com/x").groups == [[Term("http://example.com/x")]]
    assert search_query_parse("* - OR").is_empty


def test_or_at_the_start_or_end_is_ignored():
    assert search_query_parse("OR a").groups == [[Term("a")]]
    assert search_query_parse("a OR").groups == [[Term("a")]]
    assert search_query_parse("a or b").groups == [[Term("a")], [Term("or")], [Term("b")]]


def test_highlight_words():
    q = search_query_parse('run* "open source" -closed tag:x title:kernel')
    assert q.highlight_words() == ["run", "open source", "kernel"]


def test_one_letter_prefix_is_read_as_the_word():
    query = search_query_parse("a* tax*")
    assert [t.kind for t in query.positive_terms()] == ["word", "prefix"]
    assert query.narrowed == ["a"]
