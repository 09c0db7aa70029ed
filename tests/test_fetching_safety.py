"""The fetch client under hostile servers and resolvers: SSRF forms, DNS answers, redirect and refresh chains,
slow and endless answers, compression bombs, unknown codings. Every server is local (tests/pageserver.py);
the "resolver" is socket.getaddrinfo, replaced for made-up names only (real DNS would be the internet)."""

import gzip
import os
import socket
import time
import zlib

import brotli
import pytest

from articles import fetching
from articles.fetching import FetchPermanentError, FetchRefusedError, FetchTemporaryError, fetch
from reader.envparse import parse_networks

ARTICLE = "<html><head><title>Rivers</title></head><body><p>Rivers shape towns.</p></body></html>"
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def loopback_one(settings):
    """Only 127.0.0.1 is allowed: other loopback addresses (127.0.0.2) stand for a refused target."""
    settings.FETCH_ALLOWED_NETWORKS = parse_networks("127.0.0.1/32")


@pytest.fixture
def fake_dns(monkeypatch):
    """Answer made-up ``*.test`` names from ``answers[name]`` (a list of answer lists, one per lookup)."""
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            lookups.append(host)
            queue = answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            family = {4: socket.AF_INET, 6: socket.AF_INET6}
            return [
                (
                    family[6 if ":" in a else 4],
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port) if ":" not in a else (a, port, 0, 0),
                )
                for a in addresses
            ]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups


# --- addresses -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # decimal 127.0.0.1
        "http://0x7f.1/",  # hex + short form
        "http://0x7f000001/",
        "http://0177.0.0.1/",  # octal
        "http://017700000001/",
        "http://127.1/",
        "http://0/",  # 0.0.0.0
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[::ffff:7f00:1]/",  # IPv4-mapped, hex form
        "http://[::ffff:169.254.169.254]/",
        "http://[0:0:0:0:0:ffff:10.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[fd00:ec2::254]/",  # unique local (metadata over IPv6)
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://192.168.0.1/",
        "http://10.0.0.1/",
        "http://172.31.255.255/",
        "http://224.0.0.1/",  # multicast
        "http://[ff02::1]/",
        "http://240.0.0.1/",  # reserved
        "http://255.255.255.255/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
        "http://localhost/",
        "http://LOCALHOST./",
    ],
)
def test_every_refused_form_is_refused_before_connecting(settings, url, monkeypatch):
    settings.FETCH_ALLOWED_NETWORKS = []
    connects = []
    for connection_class in (fetching.HTTPConnection, fetching.HTTPSConnection):
        monkeypatch.setattr(connection_class, "connect", lambda self: connects.append(self.host))
    with pytest.raises(FetchRefusedError, match="private, local or reserved"):
        fetch(url)
    assert connects == []  # refused before any connection attempt


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"])
def test_numeric_forms_are_read_the_same_way_by_check_and_connection(page_server, host, settings):
    """With 127.0.0.0/8 allowed, each numeric form of 127.0.0.1 reaches the local server: the check and the
    connection use one resolution, so no form can be checked as one address and connected as another."""
    port = page_server.httpd.server_address[1]
    page_server.add("/numeric", ARTICLE)
    settings.FETCH_ALLOWED_NETWORKS = parse_networks("127.0.0.0/8,::ffff:127.0.0.0/104")
    assert "Rivers shape towns" in fetch(f"http://{host}:{port}/numeric").text


def test_allowed_networks_is_the_only_way_around(page_server, settings):
    page_server.add("/allowed", ARTICLE)
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(FetchRefusedError):
        fetch(page_server.url("/allowed"))
    settings.FETCH_ALLOWED_NETWORKS = parse_networks("127.0.0.1/32")
    assert fetch(page_server.url("/allowed")).status == 200


def test_resolver_answering_public_then_private_is_refused(fake_dns, caplog):
    """Refused whole; the reason names the host but never the internal address it resolves to (issue 21,
    item 9: the reason is shown to the person who saved the URL); the operator's log has it."""
    answers, _lookups = fake_dns
    answers["mixed.test"] = [["93.184.215.14", "10.0.0.7"]]
    with (
        caplog.at_level("INFO", logger="articles.fetching"),
        pytest.raises(FetchRefusedError, match=r"mixed\.test: it leads to a private") as caught,
    ):
        fetch("http://mixed.test/")
    assert "10.0.0.7" not in caught.value.reason and "10.0.0.7" not in str(caught.value)
    assert "mixed.test: it resolves to 10.0.0.7" in caplog.text


def test_resolver_answering_private_ipv6_is_refused(fake_dns):
    answers, _lookups = fake_dns
    answers["six.test"] = [["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:169.254.169.254"]]
    with pytest.raises(FetchRefusedError, match="private, local or reserved") as caught:
        fetch("http://six.test/")
    assert "a9fe" not in caught.value.reason and "169.254" not in caught.value.reason


@pytest.mark.django_db
def test_internal_name_reason_stored_on_the_article_hides_the_address(fake_dns, user):
    """The whole path: an article whose host name resolves inside the network fails with a reason that
    does not say where the name points."""
    from articles import services
    from articles.models import Article

    answers, _lookups = fake_dns
    answers["intranet.test"] = [["10.20.30.40"]]
    article, _ = services.article_save_url(user=user, url="http://intranet.test/wiki", origin="form")
    assert services.article_process(article_id=article.pk) == "failed"
    reason = Article.objects.get(pk=article.pk).failure_reason
    assert "intranet.test" in reason and "private, local or reserved" in reason
    assert "10.20.30.40" not in reason and "10.20" not in reason


def test_dns_rebinding_cannot_slip_through(fake_dns, page_server, loopback_one):
    """The first lookup answers the allowed address, later ones a refused one: Folio looks up once per hop
    and connects to the address it checked, so the page comes from the checked server."""
    answers, lookups = fake_dns
    answers["rebind.test"] = [["127.0.0.1"], ["169.254.169.254"]]
    seen_hosts = []

    def record_host(handler):
        seen_hosts.append(handler.headers["Host"])
        body = ARTICLE.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    port = page_server.httpd.server_address[1]
    page_server.add("/rebind", handler=record_host)
    page = fetch(f"http://rebind.test:{port}/rebind")
    assert "Rivers shape towns" in page.text
    assert lookups == ["rebind.test"]
    assert seen_hosts == [f"rebind.test:{port}"]


def test_each_redirect_hop_is_resolved_and_checked(fake_dns, page_server, loopback_one):
    answers, lookups = fake_dns
    answers["good.test"] = [["127.0.0.1"]]
    answers["evil.test"] = [["10.1.1.1"]]
    port = page_server.httpd.server_address[1]
    page_server.add("/hop1", status=302, headers={"Location": f"http://good.test:{port}/hop2"})
    page_server.add("/hop2", status=301, headers={"Location": f"http://evil.test:{port}/secret"})
    with pytest.raises(FetchRefusedError, match=r"evil\.test"):
        fetch(page_server.url("/hop1"))
    assert lookups == ["good.test", "evil.test"]


# --- redirect chains -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.2:{port}/x",  # loopback outside the allowed /32
        "http://169.254.169.254/latest/meta-data/",
        "//169.254.169.254/latest/",  # scheme-relative
        "http://2130706434:{port}/",  # 127.0.0.2 in decimal
        "http://[::ffff:a9fe:a9fe]/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_redirect_chain_to_refused_target(page_server, loopback_one, location):
    port = page_server.httpd.server_address[1]
    page_server.add("/chain-a", status=301, headers={"Location": "/chain-b"})
    page_server.add("/chain-b", status=307, headers={"Location": page_server.url("/chain-c")})
    page_server.add("/chain-c", status=302, headers={"Location": location.format(port=port)})
    with pytest.raises(FetchRefusedError):
        fetch(page_server.url("/chain-a"))


def test_meta_refresh_followed_and_recorded(page_server):
    page_server.add(
        "/refresh", '<html><head><meta http-equiv="Refresh" content="0; URL=\'/refreshed\'"></head></html>'
    )
    page_server.add("/refreshed", ARTICLE)
    page = fetch(page_server.url("/refresh"))
    assert page.url == page_server.url("/refreshed") and "Rivers shape towns" in page.text
    assert page.redirects == [(page_server.url("/refresh"), 200)]


def test_meta_refresh_to_refused_address_is_refused(page_server, loopback_one):
    page_server.add(
        "/refresh-evil", '<meta http-equiv=refresh content="1;url=http://169.254.169.254/latest/">'
    )
    with pytest.raises(FetchRefusedError):
        fetch(page_server.url("/refresh-evil"))


def test_meta_refresh_counts_towards_redirect_limit(page_server, settings):
    settings.FOLIO_FETCH_MAX_REDIRECTS = 2
    page_server.add("/refresh-loop-a", '<meta http-equiv="refresh" content="0;url=/refresh-loop-b">')
    page_server.add("/refresh-loop-b", '<meta http-equiv="refresh" content="0;url=/refresh-loop-a">')
    with pytest.raises(FetchPermanentError, match="redirected more than 2"):
        fetch(page_server.url("/refresh-loop-a"))


@pytest.mark.parametrize(
    "meta",
    [
        '<!--[if lte IE 9]><meta http-equiv="refresh" content="1;url=/unsupported.html" /><![endif]-->',
        '<noscript><meta http-equiv="refresh" content="0; url=/no-js"></noscript>',
        '<meta http-equiv="refresh" content="300">',
        '<meta http-equiv="refresh" content="600; url=/elsewhere">',
        '<meta http-equiv="refresh" content="0; url=/self-refresh#top">',
    ],
)
def test_periodic_reload_is_not_a_redirect(page_server, meta):
    page_server.add(
        "/self-refresh", f"<html><head>{meta}</head><body><p>Rivers shape towns.</p></body></html>"
    )
    page = fetch(page_server.url("/self-refresh"))
    assert page.url == page_server.url("/self-refresh") and page.redirects == []


def wait_for_count(sent: list) -> int:
    """The number of drips once the server stopped writing (the client hung up): read twice, a poll apart."""
    previous = -1
    while previous != len(sent):
        previous = len(sent)
        time.sleep(0.5)
    return previous


# --- time limits -----------------------------------------------------------------------------------------


def _trickle(handler, head: bytes, drip: bytes, every: float, limit: float = 30.0, sent: list | None = None):
    """Write ``head``, then ``drip`` every ``every`` seconds for ``limit`` seconds or until the client hangs
    up; each drip written is appended to ``sent`` (a count that says when the client stopped listening)."""
    try:
        handler.wfile.write(head)
        handler.wfile.flush()
        ends = time.monotonic() + limit
        while time.monotonic() < ends:
            handler.wfile.write(drip)
            handler.wfile.flush()
            if sent is not None:
                sent.append(len(drip))
            time.sleep(every)
    except OSError:
        pass
    handler.close_connection = True


def test_slow_loris_body_stopped_by_total_time(page_server, settings):
    """One byte every 0.2 s never trips the 1 s read timeout; the 2 s total time stops it."""
    settings.FOLIO_FETCH_READ_TIMEOUT = 1.0
    settings.FOLIO_FETCH_TOTAL_TIMEOUT = 2.0
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><body>"
    page_server.add("/loris-body", handler=lambda h: _trickle(h, head, b"a", 0.2))
    with pytest.raises(FetchTemporaryError, match="more than 2 seconds"):
        fetch(page_server.url("/loris-body"))


def test_slow_loris_headers_stopped_by_total_time(page_server, settings):
    settings.FOLIO_FETCH_READ_TIMEOUT = 1.0
    settings.FOLIO_FETCH_TOTAL_TIMEOUT = 2.0
    page_server.add("/loris-head", handler=lambda h: _trickle(h, b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", 0.2))
    with pytest.raises(FetchTemporaryError, match="more than 2 seconds"):
        fetch(page_server.url("/loris-head"))


def test_slow_loris_gzip_stopped_by_total_time(page_server, settings):
    """Compressed bytes that decode to nothing keep urllib3's read1 looping inside one call; the watchdog
    closes the socket under it."""
    settings.FOLIO_FETCH_READ_TIMEOUT = 1.0
    settings.FOLIO_FETCH_TOTAL_TIMEOUT = 2.0
    compressed = gzip.compress(b"<html><body>" + b"a" * 2_000_000)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(compressed)}\r\n\r\n".encode()
        + compressed[:10]
    )
    sent: list[int] = []
    page_server.add("/loris-gzip", handler=lambda h: _trickle(h, head, b"\x00", 0.2, sent=sent))
    with pytest.raises(fetching.FetchError):
        fetch(page_server.url("/loris-gzip"))
    # The server would drip 150 times in its 30 s; the fetch hung up after about 10 (the 2 s deadline). A
    # count, not a clock: a loaded machine slows the server's drips as much as the client.
    assert wait_for_count(sent) < 75, len(sent)


def test_server_that_never_answers_times_out(page_server, settings):
    settings.FOLIO_FETCH_READ_TIMEOUT = 0.5
    page_server.add("/silent", handler=lambda h: time.sleep(3))
    with pytest.raises(FetchTemporaryError, match="did not answer in time"):
        fetch(page_server.url("/silent"))


def test_connect_timeout_reason(settings, fake_dns):
    """A listening socket whose backlog is full never completes the handshake: the connect timeout fires."""
    answers, _lookups = fake_dns
    settings.FOLIO_FETCH_CONNECT_TIMEOUT = 0.5
    settings.FETCH_ALLOWED_NETWORKS = parse_networks("127.0.0.1/32")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(8):  # fill the accept queue (Linux: backlog + 1 entries)
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(listener.getsockname())
            fillers.append(s)
        answers["full.test"] = [["127.0.0.1"]]
        with pytest.raises(FetchTemporaryError, match=r"timed out|did not answer|Could not connect"):
            fetch(f"http://full.test:{listener.getsockname()[1]}/")
    finally:
        for s in fillers:
            s.close()
        listener.close()


# --- size and compression --------------------------------------------------------------------------------


def test_endless_body_stops_at_the_cap(page_server, settings):
    settings.FOLIO_FETCH_MAX_BYTES = 1024 * 1024
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html><body>"
    page_server.add("/endless", handler=lambda h: _trickle(h, head, b"x" * 65536, 0.0, limit=20))
    with pytest.raises(FetchPermanentError, match="larger than Folio's limit of 1 MB"):
        fetch(page_server.url("/endless"))


def test_endless_chunked_body_stops_at_the_cap(page_server, settings):
    settings.FOLIO_FETCH_MAX_BYTES = 1024 * 1024
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"10000\r\n" + b"y" * 65536 + b"\r\n"
    page_server.add("/endless-chunked", handler=lambda h: _trickle(h, head, chunk, 0.0, limit=20))
    with pytest.raises(FetchPermanentError, match="larger than"):
        fetch(page_server.url("/endless-chunked"))


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 defines deflate
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
    ],
)
def test_each_coding_decoded(page_server, coding, compress):
    page_server.add(f"/coded-{coding}", compress(ARTICLE.encode()), headers={"Content-Encoding": coding})
    assert "Rivers shape towns" in fetch(page_server.url(f"/coded-{coding}")).text


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", lambda data: brotli.compress(data, quality=5)),
    ],
)
def test_compression_bomb_stops_at_the_cap_after_decompression(page_server, settings, coding, compress):
    settings.FOLIO_FETCH_MAX_BYTES = 1024 * 1024
    bomb = compress(b"<html><body>" + b"\0" * (64 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024 // 4  # well under the cap on the wire
    page_server.add(f"/bomb-{coding}", bomb, headers={"Content-Encoding": coding})
    with pytest.raises(FetchPermanentError, match="larger than"):
        fetch(page_server.url(f"/bomb-{coding}"))


def test_zstd_body_fails_cleanly_and_is_never_stored_compressed(page_server):
    """Folio does not offer zstd (urllib3 decodes it only with the zstandard package, which Folio does not
    install); a server that sends it anyway gets a clear failure, never the compressed bytes as a page."""
    assert "zstd" not in fetching.ACCEPT_ENCODING
    seen = {}

    def zstd(handler):
        seen["accept"] = handler.headers["Accept-Encoding"]
        body = b"\x28\xb5\x2f\xfd" + os.urandom(200)  # zstd magic number, then noise
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Encoding", "zstd")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    page_server.add("/zstd", handler=zstd)
    with pytest.raises(FetchPermanentError, match="compressed as zstd, which Folio cannot decode"):
        fetch(page_server.url("/zstd"))
    assert "zstd" not in seen["accept"]


@pytest.mark.parametrize("coding", ["gzip, zstd", "compress", "x-unknown"])
def test_unknown_or_stacked_unknown_codings_fail(page_server, coding):
    page_server.add("/odd-coding", gzip.compress(ARTICLE.encode()), headers={"Content-Encoding": coding})
    with pytest.raises(FetchPermanentError, match="cannot decode"):
        fetch(page_server.url("/odd-coding"))


def test_damaged_gzip_fails_cleanly(page_server):
    page_server.add(
        "/bad-gzip", b"\x1f\x8b\x08\x00garbage-not-deflate" * 10, headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchPermanentError, match="damaged"):
        fetch(page_server.url("/bad-gzip"))


# --- error pages -----------------------------------------------------------------------------------------


def test_error_page_text_is_kept_for_interstitial_rules(page_server):
    page_server.add("/challenge", "<html><head><title>Just a moment...</title></head></html>", status=403)
    with pytest.raises(FetchPermanentError) as info:
        fetch(page_server.url("/challenge"))
    assert info.value.status == 403 and "Just a moment" in info.value.page_text


def test_huge_error_page_is_read_only_in_part(page_server):
    page_server.add("/huge-503", b"<html>" + b"z" * (5 * 1024 * 1024), status=503)
    with pytest.raises(FetchTemporaryError) as info:
        fetch(page_server.url("/huge-503"))
    assert len(info.value.page_text) <= fetching.ERROR_PAGE_BYTES


# --- charsets beyond the basic cases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("windows-1251", "Съешь же ещё этих мягких французских булок, да выпей чаю."),
        ("shift_jis", "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"),
        ("gb2312", "我们的祖国是花园。花园的花朵真鲜艳。和暖的阳光照耀着我们。每个人脸上都笑开颜。"),
    ],
)
def test_undeclared_charsets_detected(page_server, encoding, text):
    body = f"<html><body><p>{text * 8}</p></body></html>".encode(encoding)
    page_server.add(f"/undeclared-{encoding}", body, headers={"Content-Type": "text/html"})
    assert text in fetch(page_server.url(f"/undeclared-{encoding}")).text


def test_utf16_bom(page_server):
    body = "\ufeff<html><body><p>Grüße aus Köln</p></body></html>".encode("utf-16-le")
    page_server.add("/utf16", body, headers={"Content-Type": "text/html"})
    assert "Grüße aus Köln" in fetch(page_server.url("/utf16")).text


def test_header_charset_wins_over_meta(page_server):
    body = '<html><head><meta charset="utf-8"></head><body><p>Café</p></body></html>'.encode("iso-8859-1")
    page_server.add("/header-wins", body, headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    assert "Café" in fetch(page_server.url("/header-wins")).text


def test_plain_text_charset(page_server):
    page_server.add(
        "/notes-1251.txt",
        "Привет, мир".encode("windows-1251"),
        headers={"Content-Type": "text/plain; charset=windows-1251"},
    )
    page = fetch(page_server.url("/notes-1251.txt"))
    assert page.content_type == "text/plain" and page.text == "Привет, мир"


def test_unsafe_characters_in_the_path_are_percent_encoded(page_server):
    page_server.add("/with%20space/caf%C3%A9", ARTICLE)
    assert "Rivers shape towns" in fetch(page_server.url("/with space/café")).text
    assert "Rivers shape towns" in fetch(page_server.url("/with%20space/caf%C3%A9")).text
