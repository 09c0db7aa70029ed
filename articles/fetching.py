"""The one HTTP client for every server-side fetch of a user-supplied URL: ``fetch(url) -> FetchedPage``.

It refuses addresses a user must not make Folio reach (SSRF): the host is resolved once, every resolved
address is checked, and the connection goes to the checked address (so a second DNS answer cannot
rebind it). Each redirect hop is checked the same way. It enforces connect/read timeouts, a total time,
and a size cap on the decoded body while streaming, and decodes text with the declared or detected charset.
No ORM, no extraction.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Networks that are never fetched, on top of everything ``ipaddress`` does not call global
#: (RFC 6890 special-purpose registries; RFC 6598 carrier-grade NAT; RFC 6052 NAT64).
_EXTRA_BLOCKED = [
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("224.0.0.0/4"),
    ipaddress.ip_network("240.0.0.0/4"),
    ipaddress.ip_network("ff00::/8"),
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


class FetchError(Exception):
    """A fetch that did not give a page; ``reason`` is a sentence a person understands."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class FetchPermanentError(FetchError):
    """Trying again will not help (404, refused address, unsupported type, too large)."""


class FetchRefusedError(FetchPermanentError):
    """The URL points at an address Folio does not fetch (private, loopback, ...) or a scheme it does not use."""


class FetchTemporaryError(FetchError):
    """Worth retrying later (timeout, connection error, 429, 5xx); ``retry_after`` in seconds if the server said."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass
class FetchedPage:
    """What a fetch returns.

    ``url`` is the final URL after redirects; ``redirects`` lists every hop as ``(url, status)``;
    ``content_type`` is the lower-case media type without parameters; ``body`` the decoded (decompressed)
    bytes; ``text`` the body as a string for HTML and plain text (empty for binary types such as PDF).
    """

    url: str
    status: int
    content_type: str
    body: bytes
    text: str = ""
    charset: str = ""
    redirects: list[tuple[str, int]] = field(default_factory=list)


def is_blocked_address(address: IPAddress, allowed: list | None = None) -> bool:
    """Whether Folio refuses to connect to ``address``.

    Refused: every address that is not globally routable (loopback, RFC 1918 private, link-local
    169.254.0.0/16 and fe80::/10 including cloud metadata, unspecified, reserved, documentation),
    carrier-grade NAT 100.64.0.0/10, multicast, and IPv6 forms that embed such an IPv4 address
    (IPv4-mapped, 6to4, Teredo, NAT64). An address inside one of ``allowed`` (default:
    ``settings.FETCH_ALLOWED_NETWORKS``) is never refused.
    """
    allowed = settings.FETCH_ALLOWED_NETWORKS if allowed is None else allowed
    if any(address in net for net in allowed if net.version == address.version):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded: IPAddress | None = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_blocked_address(embedded, allowed)
    if not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified:
        return True
    return any(address in net for net in _EXTRA_BLOCKED if net.version == address.version)


def resolve(host: str, port: int) -> IPAddress:
    """Resolve ``host`` once and return the address to connect to.

    Raises FetchRefusedError if any resolved address is refused (a resolver that mixes a public and a
    private answer is refused whole), FetchTemporaryError if the name does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchTemporaryError(f"The address {host} could not be found (DNS lookup failed).") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if is_blocked_address(address):
            raise FetchRefusedError(
                f"Folio does not fetch {host}: it resolves to {address}, a private, local or reserved address."
            )
        addresses.append(address)
    if not addresses:
        raise FetchTemporaryError(f"The address {host} could not be found (DNS lookup failed).")
    return addresses[0]


def _parse_content_type(value: str) -> tuple[str, str]:
    message = Message()
    message["content-type"] = value or "application/octet-stream"
    return message.get_content_type().lower(), (message.get_param("charset") or "").strip().lower()


def _known_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except (LookupError, TypeError):
        return ""


def decode_text(body: bytes, header_charset: str = "", html: bool = True) -> tuple[str, str]:
    """Decode ``body`` to text. Returns ``(text, charset)``.

    Charset order (WHATWG "determine the character encoding", simplified): a byte-order mark, the
    Content-Type header, a ``<meta charset>`` / ``http-equiv`` in the first 4 KB, then detection with
    charset-normalizer, then UTF-8 with replacement characters.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    candidates = [header_charset]
    if html:
        match = _META_CHARSET.search(body[:4096])
        if match:
            candidates.append(match.group(1).decode("ascii", "ignore"))
    for candidate in candidates:
        name = _known_codec(candidate)
        if name:
            # Browsers read ISO-8859-1 and ASCII labels as windows-1252 (WHATWG Encoding Standard).
            if name in ("latin-1", "iso8859-1", "ascii"):
                name = "cp1252"
            if name in ("gb2312", "gbk"):
                name = "gb18030"
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    if best is not None:
        return body.decode(best.encoding, errors="replace"), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _status_phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def fetch(url: str, *, accept_types: set[str] | None = None) -> FetchedPage:
    """GET ``url`` safely and return the final page.

    Follows up to ``FOLIO_FETCH_MAX_REDIRECTS`` redirects, checking every hop. Limits: connect and read
    timeouts, ``FOLIO_FETCH_TOTAL_TIMEOUT`` seconds in all, ``FOLIO_FETCH_MAX_BYTES`` of decoded body.
    ``accept_types`` (default HTML, plain text and PDF) lists the media types returned; others raise.

    Raises FetchRefusedError (scheme or address refused), FetchPermanentError (4xx other than 408/429,
    unsupported type, too large, too many redirects) or FetchTemporaryError (timeouts, connection errors,
    408, 429 and 5xx; with ``retry_after`` from the ``Retry-After`` header, RFC 9110 §10.2.3).
    """
    accept_types = accept_types or (HTML_TYPES | TEXT_TYPES | PDF_TYPES)
    deadline = time.monotonic() + settings.FOLIO_FETCH_TOTAL_TIMEOUT
    redirects: list[tuple[str, int]] = []
    current = url
    for _hop in range(settings.FOLIO_FETCH_MAX_REDIRECTS + 1):
        status, headers, response = _open(current, deadline)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            response.release_conn()
            redirects.append((current, status))
            current = urljoin(current, headers["location"].strip())
            continue
        try:
            return _read_page(current, status, headers, response, deadline, accept_types, redirects)
        finally:
            response.release_conn()
    raise FetchPermanentError(f"The page redirected more than {settings.FOLIO_FETCH_MAX_REDIRECTS} times.")


def _open(url: str, deadline: float) -> tuple[int, dict[str, str], urllib3.BaseHTTPResponse]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefusedError(f"Folio only fetches http and https addresses, not {scheme or 'this'}: links.")
    host = parts.hostname
    if not host:
        raise FetchRefusedError("The address has no host name.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefusedError("The address has an invalid port.") from exc
    address = resolve(host, port)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTemporaryError("The site took too long to answer.")
    timeout = urllib3.Timeout(
        connect=min(settings.FOLIO_FETCH_CONNECT_TIMEOUT, remaining),
        read=min(settings.FOLIO_FETCH_READ_TIMEOUT, remaining),
    )
    host_header = parts.netloc.rsplit("@", 1)[-1]
    pool: urllib3.HTTPConnectionPool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(address), port, timeout=timeout, retries=False, maxsize=1,
            server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, retries=False, maxsize=1)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {
        "Host": host_header,
        "User-Agent": settings.FOLIO_USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5",
        "Accept-Language": "en;q=0.9,*;q=0.5",
        "Accept-Encoding": "gzip, deflate, br",
    }
    try:
        response = pool.urlopen(
            "GET", path, headers=headers, redirect=False, retries=False,
            preload_content=False, decode_content=True, assert_same_host=False,
        )
    except urllib3.exceptions.ConnectTimeoutError as exc:
        raise FetchTemporaryError(f"Could not connect to {host}: the connection timed out.") from exc
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise FetchTemporaryError(f"{host} did not answer in time.") from exc
    except urllib3.exceptions.SSLError as exc:
        raise FetchPermanentError(f"{host} has an invalid or untrusted HTTPS certificate.") from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchTemporaryError(f"Could not connect to {host} ({type(exc).__name__}).") from exc
    lowered = {k.lower(): v for k, v in response.headers.items()}
    return response.status, lowered, response


def _read_page(
    url: str, status: int, headers: dict[str, str], response: urllib3.BaseHTTPResponse,
    deadline: float, accept_types: set[str], redirects: list[tuple[str, int]],
) -> FetchedPage:
    if status in (408, 429) or status >= 500:
        raise FetchTemporaryError(
            f"The server answered {_status_phrase(status)}.", retry_after=_retry_after(headers.get("retry-after"))
        )
    if status >= 400:
        raise FetchPermanentError(f"The server answered {_status_phrase(status)}.")
    if status >= 300:
        raise FetchPermanentError(f"The server answered {_status_phrase(status)} without a new address.")
    content_type, charset = _parse_content_type(headers.get("content-type", ""))
    if content_type not in accept_types:
        raise FetchPermanentError(f"Folio cannot read this kind of file ({content_type}).")
    body = _read_capped(response, deadline)
    page = FetchedPage(url=url, status=status, content_type=content_type, body=body, redirects=redirects)
    if content_type in HTML_TYPES or content_type in TEXT_TYPES:
        page.text, page.charset = decode_text(body, charset, html=content_type in HTML_TYPES)
    return page


def _read_capped(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    limit = settings.FOLIO_FETCH_MAX_BYTES
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchTemporaryError("The page took too long to download.")
            chunk = response.read1(64 * 1024)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise FetchPermanentError(
                    f"The page is larger than Folio's limit of {limit // (1024 * 1024)} MB."
                )
            chunks.append(chunk)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise FetchTemporaryError("The site stopped sending the page (read timed out).") from exc
    except urllib3.exceptions.DecodeError as exc:
        raise FetchPermanentError("The page was sent with a compression Folio cannot decode.") from exc
    except (urllib3.exceptions.ProtocolError, OSError) as exc:
        raise FetchTemporaryError("The connection broke while the page was downloading.") from exc
    return b"".join(chunks)
