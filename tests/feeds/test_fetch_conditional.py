"""The one fetch client's conditional GET: request headers pass, a 304 comes back without a body only when
the request was conditional, and Host cannot be replaced."""

from __future__ import annotations

import pytest

from articles.fetching import FetchPermanentError, fetch
from tests.feeds.feeddocs import ConditionalFeed, rss


def test_conditional_get_returns_304_without_a_body(page_server):
    doc = ConditionalFeed(page_server, "/cond/feed", rss([]), "application/rss+xml")
    first = fetch(doc.url, accept_types={"application/rss+xml"})
    assert first.status == 200 and first.headers["etag"] == doc.etag and first.body == doc.body
    again = fetch(doc.url, accept_types={"application/rss+xml"}, headers={"If-None-Match": doc.etag})
    assert again.not_modified and again.body == b"" and doc.statuses == [200, 304]


def test_a_304_to_a_plain_request_is_still_an_error(page_server):
    url = page_server.add("/cond/odd", status=304)
    with pytest.raises(FetchPermanentError, match="304"):
        fetch(url)


def test_host_header_cannot_be_replaced(page_server):
    doc = ConditionalFeed(page_server, "/cond/host", rss([]), "application/rss+xml")
    fetch(doc.url, accept_types={"application/rss+xml"}, headers={"Host": "internal.example", "X-Test": "1"})
    assert doc.requests[-1]["host"].startswith("127.0.0.1:") and doc.requests[-1]["x-test"] == "1"
