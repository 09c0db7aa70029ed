"""The fetch client's one total deadline holds for every shape of answer (issue 21, item 2).

Each local server below trickles its answer for ever, one byte at a time, faster than the read timeout: with
Content-Length, without it (HTTP/1.1 with ``Connection: close`` and HTTP/1.0), chunked, compressed, through
a redirect, and over TLS. Since the server never stops, the only way ``fetch`` can return is the deadline;
each fetch runs in a thread with a generous join so that a regression fails the test instead of hanging the
suite. The server also records that Folio hung up (the socket was shut down, not just abandoned).
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from articles import fetching
from articles.fetching import FetchTemporaryError, fetch
from tests.test_fetching_tls import start_tls_server

#: How long a test waits for a fetch whose deadline is DEADLINE seconds before declaring it stuck; only a
#: guard against hanging the suite, never a measure of speed.
DEADLINE = 1.5
STUCK_AFTER = 30.0
REAL_GETADDRINFO = socket.getaddrinfo


class Trickle:
    """A handler body: send ``head``, then ``drip`` every ``every`` seconds until the client hangs up."""

    def __init__(self, head: bytes, drip: bytes = b"a", every: float = 0.1):
        self.head, self.drip, self.every = head, drip, every
        self.hung_up = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.wfile.write(self.head)
            handler.wfile.flush()
            while True:
                handler.wfile.write(self.drip)
                handler.wfile.flush()
                time.sleep(self.every)
        except OSError:
            self.hung_up.set()
        handler.close_connection = True


def _fetch_in_thread(url: str) -> BaseException | fetching.FetchedPage:
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(fetch(url))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(STUCK_AFTER)
    assert not worker.is_alive(), f"fetch({url}) was still blocked after {STUCK_AFTER:g} s"
    return outcome[0]


@pytest.fixture
def short_deadline(settings):
    settings.FOLIO_FETCH_READ_TIMEOUT = 1.0  # every drip comes well within it
    settings.FOLIO_FETCH_TOTAL_TIMEOUT = DEADLINE


OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
GZIP_START = gzip.compress(b"<html><body>" + b"a" * 5_000_000)[:20]
SHAPES = {
    "content-length": (OK + b"Content-Length: 100000\r\n\r\n<html><body>", b"a"),
    "no length, Connection: close": (OK + b"Connection: close\r\n\r\n<html><body>", b"a"),
    "no length, HTTP/1.0": (
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>",
        b"a",
    ),
    "chunked, one small chunk per drip": (OK + b"Transfer-Encoding: chunked\r\n\r\n", b"1\r\na\r\n"),
    "chunked, one endless chunk": (OK + b"Transfer-Encoding: chunked\r\n\r\nfffffff\r\n<html>", b"a"),
    "gzip without length": (
        OK + b"Content-Encoding: gzip\r\nConnection: close\r\n\r\n" + GZIP_START,
        b"\x00",
    ),
    "headers never end": (b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_total_deadline_holds_for_every_answer_shape(page_server, short_deadline, shape):
    head, drip = SHAPES[shape]
    trickle = Trickle(head, drip)
    path = "/trickle-" + shape.replace(" ", "-").replace(",", "").replace(":", "").replace("/", "")
    outcome = _fetch_in_thread(page_server.add(path, handler=trickle))
    assert isinstance(outcome, FetchTemporaryError), outcome
    assert outcome.reason == f"The page took more than {DEADLINE:g} seconds to download."
    assert trickle.hung_up.wait(10), "Folio never closed the connection"


def test_a_page_cut_off_by_the_deadline_is_never_returned(page_server, short_deadline):
    """Without Content-Length the shut-down socket reads as a clean end of the page: it must still be an
    error, not a page with the bytes that came in time."""
    trickle = Trickle(OK + b"Connection: close\r\n\r\n<html><body><p>", b"word ")
    outcome = _fetch_in_thread(page_server.add("/cut-off", handler=trickle))
    assert isinstance(outcome, FetchTemporaryError)
    assert not isinstance(outcome, fetching.FetchedPage)


def test_deadline_spans_every_redirect_hop(page_server, short_deadline):
    """A redirect that arrives slowly spends the same budget as the page after it."""
    slow_redirect = Trickle(b"HTTP/1.1 302 Found\r\nLocation: /trickle-after-hop\r\nX-Pad: ", b"a", 0.05)
    page_server.add("/trickle-after-hop", handler=Trickle(OK + b"Connection: close\r\n\r\n<html>", b"a"))

    def first_hop(handler):
        # The redirect's headers dribble for half the deadline, then end; the target then trickles.
        handler.wfile.write(slow_redirect.head)
        for _ in range(int(DEADLINE / 2 / 0.05)):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(0.05)
        handler.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
        handler.wfile.flush()

    outcome = _fetch_in_thread(page_server.add("/slow-redirect", handler=first_hop))
    assert isinstance(outcome, FetchTemporaryError)
    assert outcome.reason == f"The page took more than {DEADLINE:g} seconds to download."


def test_a_per_call_deadline_overrides_the_setting(page_server, settings):
    settings.FOLIO_FETCH_READ_TIMEOUT = 1.0
    settings.FOLIO_FETCH_TOTAL_TIMEOUT = 600.0
    url = page_server.add("/trickle-per-call", handler=Trickle(OK + b"Connection: close\r\n\r\n", b"a"))
    with pytest.raises(FetchTemporaryError, match="more than 1 seconds"):
        fetch(url, total_timeout=1.0)


# --- the same over TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_trickle_server(tmp_path_factory):
    trickle = Trickle(OK + b"Connection: close\r\n\r\n<html><body>", b"a")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            trickle(self)

        def log_message(self, *args):
            pass

    server, port, cert = start_tls_server(tmp_path_factory.mktemp("tls-trickle"), "slow.test", Handler)
    yield port, cert, trickle
    server.shutdown()


def test_total_deadline_holds_over_tls_without_length(tls_trickle_server, short_deadline, monkeypatch):
    port, cert, trickle = tls_trickle_server

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "slow.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    outcome = _fetch_in_thread(f"https://slow.test:{port}/")
    assert isinstance(outcome, FetchTemporaryError), outcome
    assert "more than" in outcome.reason
    assert trickle.hung_up.wait(10)
