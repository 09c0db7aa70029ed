"""Fixtures of the automation tests: the events a test saw, a local webhook receiver that verifies every
signature with the Standard Webhooks reference implementation."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from articles.services.events import article_event


@pytest.fixture
def events():
    """``(event, user_id, article_id, highlight_id)`` of every article_event sent during the test."""
    seen: list[tuple[str, int, int, int | None]] = []

    def record(sender, *, event, user_id, article_id, highlight_id=None, **kwargs):
        seen.append((event, user_id, article_id, highlight_id))

    article_event.connect(record, dispatch_uid="test-events-recorder")
    yield seen
    article_event.disconnect(dispatch_uid="test-events-recorder")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: object = None
    error: str = ""


@dataclass
class Receiver:
    """A webhook receiver on ``host``: answers the statuses of ``script`` in turn (then 200), records
    every request and verifies its signature with ``Webhook(secret).verify``."""

    host: str = "127.0.0.1"
    secret: str = ""
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                item = Received(headers=dict(self.headers.items()), body=body)
                try:
                    item.verified = Webhook(receiver.secret).verify(body, item.headers)
                except WebhookVerificationError as exc:
                    item.error = str(exc)
                receiver.received.append(item)
                status = receiver.script.pop(0) if receiver.script else 200
                answer = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer)

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}/hook"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    """A receiver on 127.0.0.2 (a loopback address: refused unless FETCH_ALLOWED_NETWORKS allows it)."""
    server = Receiver(host="127.0.0.2")
    server.start()
    yield server
    server.close()
