"""A local HTTP server for tests: serves the shared fixtures and corpus, and routes a test registers.

Pages are served from 127.0.0.1 on a free port; tests allow that network with FETCH_ALLOWED_NETWORKS.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_DIR = SHARED / "fixtures" / "seed"
CORPUS_DIR = SHARED / "corpus" / "scrapinghub-aeb"


@dataclass
class Route:
    """A canned answer: status, headers, body; or a handler callable for streaming cases."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class PageServer:
    """Serves ``/seed/<file>``, ``/corpus/<id>.html`` and registered routes. Thread-safe enough for tests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                route = server.resolve(path)
                if route is None:
                    route = Route(
                        404, {"Content-Type": "text/html"}, b"<html><body><h1>Not Found</h1></body></html>"
                    )
                if route.handler is not None:
                    route.handler(self)
                    return
                self.send_response(route.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # clients that hang up mid-answer
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base + (path if path.startswith("/") else "/" + path)

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict | None = None,
        handler: Callable | None = None,
    ) -> str:
        """Register a route and return its URL."""
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Route(status, headers or {}, body, handler)
        return self.url(path)

    def resolve(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        if path.startswith("/seed/"):
            file = SEED_DIR / path.removeprefix("/seed/")
            if file.is_file() and file.suffix == ".html":
                return Route(body=file.read_bytes())
        if path.startswith("/corpus/") and path.endswith(".html"):
            file = CORPUS_DIR / "html" / (path.removeprefix("/corpus/") + ".gz")
            if file.is_file():
                return Route(body=gzip.decompress(file.read_bytes()))
        return None

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
