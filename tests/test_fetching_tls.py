"""HTTPS through the pinned-address connection: the certificate is checked against the host name of the URL
(SNI and hostname verification), not against the address Folio connects to. A local TLS server with a
certificate made by the openssl command line stands in for a site."""

import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articles.fetching import FetchPermanentError, fetch

REAL_GETADDRINFO = socket.getaddrinfo


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body><p>Served over TLS.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_tls_server(folder, name: str, handler: type[BaseHTTPRequestHandler]):
    """A local HTTPS server for ``name`` with a certificate made by the openssl command line:
    ``(server, port, certificate path)``; the caller shuts the server down."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda request, address: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1], cert


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    server, port, cert = start_tls_server(tmp_path_factory.mktemp("tls"), "site.test", _Handler)
    yield port, cert
    server.shutdown()


@pytest.fixture
def names(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_untrusted_certificate_fails_with_reason(tls_server, names):
    port, _cert = tls_server
    with pytest.raises(FetchPermanentError, match="invalid or untrusted HTTPS certificate"):
        fetch(f"https://site.test:{port}/")


def test_trusted_certificate_for_the_url_host_is_accepted(tls_server, names, monkeypatch):
    port, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert "Served over TLS" in fetch(f"https://site.test:{port}/").text


def test_certificate_for_another_name_is_refused(tls_server, names, monkeypatch):
    port, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with pytest.raises(FetchPermanentError, match="certificate"):
        fetch(f"https://other.test:{port}/")
