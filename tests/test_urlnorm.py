"""URL normalization for duplicates."""

import pytest

from articles.errors import InvalidURLError
from articles.urlnorm import normalize_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://Example.COM:443/a?b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com/x?", "https://example.com/x"),
        (
            "https://example.com/x?utm_source=t&utm_medium=e&fbclid=1&gclid=2&mc_eid=3&id=9",
            "https://example.com/x?id=9",
        ),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://bücher.de/", "https://xn--bcher-kva.de/"),
    ],
)
def test_normalize(given, expected):
    assert normalize_url(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "http://x:99999/",
        "http://exa mple.com/x",  # was saved, then retried against DNS for "exa mple.com"
        "https://exa\u00a0mple.com/",  # a no-break space pasted from a page
        "https://exam<ple>.com/",
    ],
)
def test_invalid(bad):
    with pytest.raises(InvalidURLError):
        normalize_url(bad)
