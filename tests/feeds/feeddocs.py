"""Feed documents for tests and a page-server route that answers conditional GETs (ETag, Last-Modified)."""

from __future__ import annotations

import hashlib
import json
from email.utils import formatdate
from xml.sax.saxutils import escape

from tests.pageserver import PageServer


def rss(
    entries: list[tuple[str, str]], *, title: str = "Test RSS", link: str = "http://example.com/"
) -> bytes:
    """RSS 2.0 with ``entries`` as (guid, link); the title of each is "Entry <guid>"."""
    items = "".join(
        f"<item><title>Entry {escape(g)}</title><link>{escape(u)}</link><guid>{escape(g)}</guid>"
        f"<description>Summary of {escape(g)}</description><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>"
        for g, u in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{escape(link)}</link>{items}</channel></rss>"
    ).encode()


def atom(entries: list[tuple[str, str]], *, title: str = "Test Atom") -> bytes:
    """Atom 1.0 with ``entries`` as (id, link)."""
    body = "".join(
        f'<entry><id>{escape(i)}</id><title>Entry {escape(i)}</title><link href="{escape(u)}"/>'
        f"<updated>2026-12-01T10:00:00Z</updated><summary>Summary of {escape(i)}</summary></entry>"
        for i, u in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:test</id><updated>2026-12-01T10:00:00Z</updated>{body}</feed>"
    ).encode()


def json_feed(entries: list[tuple[str, str]], *, title: str = "Test JSON") -> bytes:
    """JSON Feed 1.1 with ``entries`` as (id, url)."""
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {"id": i, "url": u, "title": f"Entry {i}", "content_text": f"Summary of {i}"}
                for i, u in entries
            ],
        }
    ).encode()


class ConditionalFeed:
    """A route of ``server`` at ``path`` serving ``body`` with an ETag and a Last-Modified; a request with a
    matching If-None-Match (or, without one, If-Modified-Since) gets 304. ``statuses`` records each answer."""

    def __init__(self, server: PageServer, path: str, body: bytes, content_type: str):
        self.content_type = content_type
        self.statuses: list[int] = []
        self.requests: list[dict[str, str]] = []
        self.set(body)
        self.url = server.add(path, handler=self._handle)

    def set(self, body: bytes) -> None:
        """Serve ``body`` from now on (a new ETag and Last-Modified)."""
        self.body = body
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        self.last_modified = formatdate(usegmt=True)

    def _handle(self, handler) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.requests.append(headers)
        if headers.get("if-none-match") == self.etag or (
            "if-none-match" not in headers and headers.get("if-modified-since") == self.last_modified
        ):
            self.statuses.append(304)
            handler.send_response(304)
            handler.send_header("ETag", self.etag)
            handler.end_headers()
            return
        self.statuses.append(200)
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("ETag", self.etag)
        handler.send_header("Last-Modified", self.last_modified)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)
