"""The fetch client: address checks, redirects, limits, status codes and charsets, against a local server."""

import gzip
import ipaddress

import pytest

from articles import fetching
from articles.fetching import FetchPermanentError, FetchRefusedError, FetchTemporaryError, fetch


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a9fe:a9fe",
        "ff02::1",
    ],
)
def test_non_public_addresses_blocked(address):
    assert fetching.is_blocked_address(ipaddress.ip_address(address), allowed=[])


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses_allowed(address):
    assert not fetching.is_blocked_address(ipaddress.ip_address(address), allowed=[])


def test_allowed_networks_open_a_hole(settings):
    assert not fetching.is_blocked_address(ipaddress.ip_address("127.0.0.1"))
    settings.FETCH_ALLOWED_NETWORKS = []
    assert fetching.is_blocked_address(ipaddress.ip_address("127.0.0.1"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "http://localhost/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_loopback_forms_refused_by_default(settings, url):
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(FetchRefusedError):
        fetch(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/"])
def test_other_schemes_refused(url):
    with pytest.raises(FetchRefusedError):
        fetch(url)


def test_fetch_html_and_record_redirects(page_server):
    page_server.add("/r1", status=301, headers={"Location": "/r2"})
    page_server.add("/r2", status=302, headers={"Location": page_server.url("/final")})
    page_server.add("/final", "<html><body><p>Done</p></body></html>")
    page = fetch(page_server.url("/r1"))
    assert page.url == page_server.url("/final")
    assert page.redirects == [(page_server.url("/r1"), 301), (page_server.url("/r2"), 302)]
    assert "<p>Done</p>" in page.text


def test_redirect_to_refused_address_is_refused(page_server, settings):
    settings.FETCH_ALLOWED_NETWORKS = fetching.settings.FETCH_ALLOWED_NETWORKS[:1]  # 127.0.0.0/8 only
    page_server.add(
        "/to-metadata", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with pytest.raises(FetchRefusedError):
        fetch(page_server.url("/to-metadata"))


def test_redirect_loop_stops(page_server, settings):
    settings.FOLIO_FETCH_MAX_REDIRECTS = 3
    page_server.add("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchPermanentError, match="redirected more than 3"):
        fetch(page_server.url("/loop"))


def test_404_is_permanent_with_reason(page_server):
    with pytest.raises(FetchPermanentError, match="404 Not Found"):
        fetch(page_server.url("/missing"))


def test_503_is_temporary_with_retry_after(page_server):
    page_server.add("/busy", "busy", status=503, headers={"Retry-After": "7"})
    with pytest.raises(FetchTemporaryError) as info:
        fetch(page_server.url("/busy"))
    assert info.value.retry_after == 7.0
    assert "503 Service Unavailable" in info.value.reason


def test_unsupported_type_named(page_server):
    page_server.add("/img.png", b"\x89PNG....", headers={"Content-Type": "image/png"})
    with pytest.raises(FetchPermanentError, match="image/png"):
        fetch(page_server.url("/img.png"))


def test_size_cap_enforced(page_server, settings):
    settings.FOLIO_FETCH_MAX_BYTES = 1024 * 1024
    page_server.add("/big", b"<html><body>" + b"a" * (2 * 1024 * 1024) + b"</body></html>")
    with pytest.raises(FetchPermanentError, match="larger than"):
        fetch(page_server.url("/big"))


def test_size_cap_applies_after_decompression(page_server, settings):
    settings.FOLIO_FETCH_MAX_BYTES = 1024 * 1024
    bomb = gzip.compress(b"<html><body>" + b"a" * (20 * 1024 * 1024))
    page_server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchPermanentError, match="larger than"):
        fetch(page_server.url("/bomb"))


def test_gzip_body_decoded(page_server):
    page_server.add(
        "/gz",
        gzip.compress("<html><body><p>Zipped café</p></body></html>".encode()),
        headers={"Content-Encoding": "gzip"},
    )
    assert "Zipped café" in fetch(page_server.url("/gz")).text


@pytest.mark.parametrize(
    ("encoding", "text", "header", "meta"),
    [
        ("windows-1251", "Привет, мир", "text/html; charset=windows-1251", ""),
        ("shift_jis", "こんにちは世界", "text/html", '<meta charset="shift_jis">'),
        (
            "gb2312",
            "你好世界",
            "text/html",
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        ),
        ("iso-8859-1", "Café crème", "text/html; charset=ISO-8859-1", ""),
    ],
)
def test_charsets_decoded_without_mojibake(page_server, encoding, text, header, meta):
    body = f"<html><head>{meta}</head><body><p>{text}</p></body></html>".encode(encoding)
    page_server.add(f"/cs-{encoding}", body, headers={"Content-Type": header})
    assert text in fetch(page_server.url(f"/cs-{encoding}")).text


def test_charset_detected_when_undeclared():
    text = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 20
    decoded, _charset = fetching.decode_text(
        f"<html><body><p>{text}</p></body></html>".encode("windows-1251")
    )
    assert "французских булок" in decoded


def test_bom_wins():
    decoded, charset = fetching.decode_text(b"\xef\xbb\xbf<p>\xc3\xa9</p>", "iso-8859-1")
    assert decoded == "<p>é</p>" and charset == "utf-8"


def test_refused_connection_is_not_called_a_timeout():
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchTemporaryError, match="connection was refused"):
        fetch(f"http://127.0.0.1:{port}/")
