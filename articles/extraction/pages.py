"""Multi-page articles: the page's link to its next page and how many pages there are.

A page that continues elsewhere says so with ``<link rel="next">`` or ``<a rel="next">`` (HTML Living
Standard, link type "next"). Extraction records ``{"page": 1, "pages": N or None, "next": url}`` in
its log; processing (``services.processing``, which may fetch) follows ``next`` and joins the pages
(bug-log A46). Only a next page on the same site counts. Pure: no network.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

_REL = etree.XPath("//link[@rel and @href] | //a[@rel and @href]")
_NUMBER = re.compile(r"\d+")
#: Page counts above this are not an article's pages (a list or an archive).
MAX_PAGES = 50


def _same_site(a: str, b: str) -> bool:
    host_a, host_b = urlsplit(a).hostname or "", urlsplit(b).hostname or ""
    return bool(host_a) and host_a.removeprefix("www.") == host_b.removeprefix("www.")


def pagination(page: etree._Element, url: str, base: str) -> dict | None:
    """``{"page": 1, "pages": N | None, "next": url}`` when ``page`` links to a next page on its own site;
    ``N`` is the highest page number among the page's links shaped like the next page's address."""
    nexts = [e.get("href") for e in _REL(page) if "next" in (e.get("rel") or "").lower().split()]
    for href in nexts[:3]:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        try:
            target = urljoin(base or url, href)
        except ValueError:
            continue
        if target == url or not _same_site(target, url):
            continue
        return {"page": 1, "pages": _page_count(page, target, base or url), "next": target}
    return None


def _page_count(page: etree._Element, next_url: str, base: str) -> int | None:
    numbers = list(_NUMBER.finditer(next_url))
    if not numbers:
        return None
    last = numbers[-1]  # the page number is the last number of the next page's address
    shape = re.compile(
        "^" + re.escape(next_url[: last.start()]) + r"(\d+)" + re.escape(next_url[last.end() :]) + "$"
    )
    highest = int(last.group(0))
    for href in page.xpath("//a/@href")[:2000]:
        try:
            match = shape.match(urljoin(base, href.strip()))
        except ValueError:
            continue
        if match and int(match.group(1)) <= MAX_PAGES:
            highest = max(highest, int(match.group(1)))
    return highest if 2 <= highest <= MAX_PAGES else None
