"""The one HTTP client for every server-side fetch of a user-supplied URL: ``fetch(url) -> FetchedPage``.

It refuses addresses a user must not make Folio reach (SSRF): the host is resolved once, every resolved
address is checked, and the connection goes to the checked address (so a second DNS answer cannot
rebind it). Each redirect hop is checked the same way. It enforces connect/read timeouts, a total time,
and a size cap on the decoded body while streaming, and decodes text with the declared or detected charset.
No ORM, no extraction.
"""

from __future__ import annotations

import codecs
import contextlib
import html as html_module
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value
from http import HTTPStatus
from http.client import HTTPException
from ssl import CertificateError
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_noop
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.util.request import ACCEPT_ENCODING as URLLIB3_ENCODINGS
from urllib3.util.ssl_match_hostname import CertificateError as Urllib3CertificateError

from . import hostlimit

logger = logging.getLogger(__name__)

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

# Failure reasons with values in them (a host, a status, a size). The worker stores them on the article in
# English, formatted with ``%``; articles.rows.stored_text matches a stored one back to its sentence and
# shows it in the reader's language (the values stay as they are).
DNS_FAILED = gettext_noop("The address %(host)s could not be found (DNS lookup failed).")
PRIVATE_ADDRESS = gettext_noop(
    "Folio does not fetch %(host)s: it leads to a private, local or reserved address."
)
TOO_SLOW = gettext_noop("The page took more than %(seconds)s seconds to download.")
HOST_BUSY = gettext_noop(
    "Folio is already fetching %(count)s pages from %(host)s; it will try again shortly."
)
TOO_MANY_REDIRECTS = gettext_noop("The page redirected more than %(count)s times.")
NOT_HTTP = gettext_noop("Folio only fetches http and https addresses, not %(scheme)s: links.")
BAD_HOST = gettext_noop("The host name %(host)s is not valid.")
REFUSED = gettext_noop("Could not connect to %(host)s: the connection was refused.")
CONNECT_TIMEOUT = gettext_noop("Could not connect to %(host)s: the connection timed out.")
NO_ANSWER = gettext_noop("%(host)s did not answer in time.")
BAD_CERTIFICATE = gettext_noop("%(host)s has an invalid or untrusted HTTPS certificate.")
CONNECT_FAILED = gettext_noop("Could not connect to %(host)s (%(error)s).")
SERVER_ANSWERED = gettext_noop("The server answered %(status)s.")
REDIRECT_WITHOUT_ADDRESS = gettext_noop("The server answered %(status)s without a new address.")
UNREADABLE_TYPE = gettext_noop("Folio cannot read this kind of file (%(type)s).")
UNKNOWN_ENCODING = gettext_noop("The page was sent compressed as %(encoding)s, which Folio cannot decode.")
TOO_LARGE = gettext_noop("The page is larger than Folio's limit of %(size)s.")
REASONS_WITH_VALUES = (
    DNS_FAILED,
    PRIVATE_ADDRESS,
    TOO_SLOW,
    HOST_BUSY,
    TOO_MANY_REDIRECTS,
    NOT_HTTP,
    BAD_HOST,
    REFUSED,
    CONNECT_TIMEOUT,
    NO_ANSWER,
    BAD_CERTIFICATE,
    CONNECT_FAILED,
    REDIRECT_WITHOUT_ADDRESS,
    SERVER_ANSWERED,
    UNREADABLE_TYPE,
    UNKNOWN_ENCODING,
    TOO_LARGE,
)
#: Content codings urllib3 decodes here (zstd only when the zstandard package is installed). A body in any
#: other coding fails: it is never stored still compressed.
DECODABLE_ENCODINGS = {"identity", "x-gzip", *(e.strip() for e in URLLIB3_ENCODINGS.split(","))}
ACCEPT_ENCODING = ", ".join(e.strip() for e in URLLIB3_ENCODINGS.split(","))
#: How much of an HTTP error page is read, so that interstitials can tell a bot challenge from a plain 403.
ERROR_PAGE_BYTES = 256 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


class FetchError(Exception):
    """A fetch that did not give a page; ``reason`` is a sentence a person understands.

    For an HTTP error answer, ``status`` is its code and ``page_text`` the start of its page (decoded).
    """

    status: int | None = None
    page_text: str = ""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class FetchPermanentError(FetchError):
    """Trying again will not help (404, refused address, unsupported type, too large)."""


class FetchTooLargeError(FetchPermanentError):
    """The body is over the fetch's byte cap (counted after decompression)."""


class FetchRefusedError(FetchPermanentError):
    """The URL points at an address Folio does not fetch (private, loopback, ...) or uses another scheme."""


class FetchTemporaryError(FetchError):
    """Worth retrying later (timeouts, connection errors, 429, 5xx); ``retry_after`` in seconds, if given."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class FetchDeadlineError(FetchTemporaryError):
    """The fetch's total deadline passed before the answer was complete."""


class FetchHostBusyError(FetchTemporaryError):
    """``FOLIO_FETCH_PER_HOST`` fetches of this host are running; not the page's fault, so not an attempt."""


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
    #: The final answer's headers, names lower-cased (``etag``, ``last-modified`` for a conditional GET).
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        """True for a ``304 Not Modified`` answer to a conditional request (no body)."""
        return self.status == 304


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
        raise FetchTemporaryError(DNS_FAILED % {"host": host}) from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if is_blocked_address(address):
            # The reason is shown to the person who saved the URL: it never says which address the name
            # resolved to, so that Folio cannot be used to map an internal network (issue 21, item 9).
            # The operator finds the address in the log.
            logger.info("Refused to fetch %s: it resolves to %s", host, address)
            raise FetchRefusedError(PRIVATE_ADDRESS % {"host": host})
        addresses.append(address)
    if not addresses:
        raise FetchTemporaryError(DNS_FAILED % {"host": host})
    return addresses[0]


def _parse_content_type(value: str) -> tuple[str, str]:
    message = Message()
    message["content-type"] = value or "application/octet-stream"
    return message.get_content_type().lower(), collapse_rfc2231_value(
        message.get_param("charset") or ""
    ).strip().lower()


def _known_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except (LookupError, TypeError):
        return ""


#: A page whose bytes are UTF-8 but for at most this share of its non-ASCII bytes is UTF-8 with a few stray
#: bytes (a Latin-1 "é" pasted into a UTF-8 page), not a page in another encoding.
STRAY_BYTES_SHARE = 0.02
_SINGLE_BYTE = {"cp1252", "latin-1", "iso8859-1", "ascii", "iso8859-15", "cp1250", "iso8859-2"}
#: UTF-8 read as windows-1252: "Ã" or "Â" or "â€" followed by a continuation character.
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac[\u0080-\u00bf\u2018-\u201e\u2122\u0153\u0161]"
)


def _decode_utf8_tolerant(body: bytes) -> str | None:
    """``body`` as UTF-8 when it is UTF-8 but for a few stray bytes (each read as windows-1252, which is
    what a stray Latin-1 byte means); None when the bad bytes are not rare."""
    text = body.decode("utf-8", errors="surrogateescape")
    stray = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if not stray:
        return text
    non_ascii = sum(1 for byte in body if byte >= 0x80) or 1
    if stray > STRAY_BYTES_SHARE * non_ascii:
        return None
    return re.sub(
        "[\udc80-\udcff]", lambda m: bytes([ord(m.group(0)) - 0xDC00]).decode("cp1252", "replace"), text
    )


def decode_text(body: bytes, header_charset: str = "", html: bool = True) -> tuple[str, str]:
    """Decode ``body`` to text. Returns ``(text, charset)``.

    Charset order (WHATWG "determine the character encoding", simplified): a byte-order mark, the
    Content-Type header, a ``<meta charset>`` / ``http-equiv`` in the first 4 KB, then detection with
    charset-normalizer, then UTF-8 with replacement characters. Two departures, both for pages that say
    the wrong thing (bug-log A32 and kind 5): a single-byte header charset (servers' ISO-8859-1 default)
    yields to UTF-8 when the bytes are UTF-8 with multi-byte characters and the page's meta does not say
    otherwise; and a page that is UTF-8 but for a few stray bytes is decoded as UTF-8 with those bytes read
    as windows-1252, rather than switching the whole page to another codec. A decoded text that shows
    UTF-8 mojibake ("Ã¼" for "ü") is decoded again as UTF-8.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    meta_charset = ""
    if html:
        match = _META_CHARSET.search(body[:4096])
        if match:
            meta_charset = _known_codec(match.group(1).decode("ascii", "ignore"))
    header = _known_codec(header_charset)
    candidates = [header, meta_charset]
    if header in _SINGLE_BYTE and meta_charset in ("", "utf-8") and max(body, default=0) >= 0x80:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    for name in candidates:
        if not name:
            continue
        # Browsers read ISO-8859-1 and ASCII labels as windows-1252 (WHATWG Encoding Standard).
        if name in ("latin-1", "iso8859-1", "ascii"):
            name = "cp1252"
        if name in ("gb2312", "gbk"):
            name = "gb18030"
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            if name == "utf-8":
                tolerant = _decode_utf8_tolerant(body)
                if tolerant is not None:
                    return tolerant, "utf-8"
            continue
        if name != "utf-8" and _MOJIBAKE.search(text):
            repaired = _decode_utf8_tolerant(body)
            if repaired is not None and not _MOJIBAKE.search(repaired):
                return repaired, "utf-8"
        return text, name
    tolerant = _decode_utf8_tolerant(body)
    if tolerant is not None:
        return tolerant, "utf-8"
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


PAGE_ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5"


@dataclass(frozen=True)
class _Limits:
    """Per-call choices of one fetch (the defaults come from settings)."""

    max_bytes: int
    accept: str
    referer: str
    extra_headers: tuple[tuple[str, str], ...] = ()


def fetch(
    url: str,
    *,
    accept_types: set[str] | None = None,
    max_bytes: int | None = None,
    total_timeout: float | None = None,
    accept: str = PAGE_ACCEPT,
    referer: str = "",
    headers: dict[str, str] | None = None,
) -> FetchedPage:
    """GET ``url`` safely and return the final page.

    Follows up to ``FOLIO_FETCH_MAX_REDIRECTS`` redirects (HTTP ``Location`` and HTML
    ``<meta http-equiv="refresh">``), checking the scheme and every resolved address of every hop.
    Limits: connect and read timeouts; one total deadline of ``total_timeout`` seconds (default
    ``FOLIO_FETCH_TOTAL_TIMEOUT``) over every hop, DNS to last byte, enforced on the socket itself (a
    timer shuts the connected socket down, so a server that trickles bytes, with or without
    Content-Length, chunked or not, cannot hold a worker); and ``max_bytes`` of body (default
    ``FOLIO_FETCH_MAX_BYTES``), counted after decompression while streaming. At most
    ``FOLIO_FETCH_PER_HOST`` fetches run against one host at a time (``hostlimit``).
    ``accept_types`` (default HTML, plain text and PDF) lists the media types returned; others raise.
    ``accept`` is the Accept header sent; ``referer`` (optional) the Referer header, for image hosts that
    refuse requests without one. ``headers`` (optional) are further request headers, e.g. ``If-None-Match``
    and ``If-Modified-Since`` for a conditional GET (RFC 9110 §13.1); they cannot replace ``Host``. When
    such a request is answered ``304 Not Modified`` the page is returned with ``status`` 304 and an empty
    body (``not_modified``); without conditional headers a 304 is an error as before.

    Raises FetchRefusedError (scheme or address refused), FetchPermanentError (4xx other than 408/429,
    unsupported type or compression, too large, too many redirects) or FetchTemporaryError (timeouts,
    connection errors, 408, 429 and 5xx; with ``retry_after`` from the ``Retry-After`` header, RFC 9110
    §10.2.3). Errors for an HTTP error answer carry ``status`` and the start of the page in ``page_text``.
    """
    accept_types = accept_types or (HTML_TYPES | TEXT_TYPES | PDF_TYPES)
    limits = _Limits(
        max_bytes=settings.FOLIO_FETCH_MAX_BYTES if max_bytes is None else max_bytes,
        accept=accept,
        referer=referer,
        extra_headers=tuple(
            (name, value) for name, value in (headers or {}).items() if name.lower() not in ("host",)
        ),
    )
    total = settings.FOLIO_FETCH_TOTAL_TIMEOUT if total_timeout is None else total_timeout
    watchdog = _Watchdog(time.monotonic() + total)
    too_slow = TOO_SLOW % {"seconds": f"{total:g}"}
    redirects: list[tuple[str, int]] = []
    current = url
    try:
        for _hop in range(settings.FOLIO_FETCH_MAX_REDIRECTS + 1):
            target = _target(current)
            try:
                # Waiting for a slot spends the same deadline as the download.
                slot = hostlimit.acquire(
                    target.host_header,
                    wait=min(settings.FOLIO_FETCH_HOST_WAIT, max(0.0, watchdog.remaining())),
                )
            except hostlimit.HostBusy as exc:
                raise FetchHostBusyError(
                    HOST_BUSY % {"count": settings.FOLIO_FETCH_PER_HOST, "host": target.host},
                    retry_after=exc.retry_after,
                ) from exc
            try:
                conn, response = _open(target, watchdog, limits)
                try:
                    status, headers = response.status, {k.lower(): v for k, v in response.headers.items()}
                    location = headers.get("location", "").strip()
                    if status in (301, 302, 303, 307, 308) and location:
                        redirects.append((current, status))
                        current = urljoin(current, location)
                        continue
                    page = _read_page(current, status, headers, response, limits, accept_types, redirects)
                finally:
                    conn.close()
            finally:
                hostlimit.release(target.host_header, slot)
            if watchdog.expired:
                # The shutdown ends an answer without Content-Length like a normal end of file.
                raise FetchDeadlineError(too_slow)
            refresh = meta_refresh_target(page) if page.content_type in HTML_TYPES else ""
            if refresh:
                redirects.append((current, status))
                current = refresh
                continue
            return page
    except FetchError:
        # A read timeout clamped to the time left fires with (or just before) the deadline: the same cause.
        if watchdog.expired or watchdog.remaining() < 0.1:
            raise FetchDeadlineError(too_slow) from None
        raise
    finally:
        watchdog.cancel()
    raise FetchPermanentError(TOO_MANY_REDIRECTS % {"count": settings.FOLIO_FETCH_MAX_REDIRECTS})


#: Bytes of a POST's answer kept (a webhook receiver's reply is logged, never used).
POST_ANSWER_BYTES = 64 * 1024


def post(
    url: str,
    *,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    max_bytes: int = POST_ANSWER_BYTES,
    total_timeout: float | None = None,
) -> FetchedPage:
    """POST ``body`` to ``url`` safely (webhooks) and return the answer, whatever its status.

    The same guard as ``fetch``: scheme http(s), every resolved address checked against
    FETCH_ALLOWED_NETWORKS and the private ranges (is_blocked_address), the connection made to the
    checked address; connect and read timeouts and one total deadline of ``total_timeout`` seconds
    (default FOLIO_FETCH_TOTAL_TIMEOUT) enforced on the socket; at most FOLIO_FETCH_PER_HOST requests to
    one host at a time. **Redirects are not followed** (a POST is not replayed elsewhere): a 3xx is
    returned like any other status. Of the answer's body at most ``max_bytes`` (decoded) are read and
    kept; the rest is dropped, never an error. ``headers`` are sent as given (after Folio's own).

    Returns a FetchedPage: ``status``, ``content_type``, ``body`` (the first ``max_bytes``), ``text``
    (decoded when text). Raises FetchRefusedError (scheme or address refused), FetchHostBusyError,
    FetchDeadlineError or FetchTemporaryError (DNS, connection, timeout), FetchPermanentError (a bad TLS
    certificate or host name).
    """
    limits = _Limits(max_bytes=max_bytes, accept="*/*", referer="")
    total = settings.FOLIO_FETCH_TOTAL_TIMEOUT if total_timeout is None else total_timeout
    watchdog = _Watchdog(time.monotonic() + total)
    too_slow = f"The server took more than {total:g} seconds to answer."
    try:
        target = _target(url)
        try:
            slot = hostlimit.acquire(
                target.host_header, wait=min(settings.FOLIO_FETCH_HOST_WAIT, max(0.0, watchdog.remaining()))
            )
        except hostlimit.HostBusy as exc:
            raise FetchHostBusyError(
                f"Folio is already sending {settings.FOLIO_FETCH_PER_HOST} requests to {target.host}.",
                retry_after=exc.retry_after,
            ) from exc
        try:
            conn, response = _open(
                target,
                watchdog,
                limits,
                method="POST",
                body=body,
                extra_headers={"Content-Type": content_type, **(headers or {})},
            )
            try:
                status = response.status
                answer_headers = {k.lower(): v for k, v in response.headers.items()}
                answer_type, charset = _parse_content_type(answer_headers.get("content-type", ""))
                answer = b""
                if _encodings_ok(answer_headers):
                    with contextlib.suppress(FetchTooLargeError):
                        answer = _read_capped(response, max_bytes, truncate=True)
            finally:
                conn.close()
        finally:
            hostlimit.release(target.host_header, slot)
        if watchdog.expired:
            raise FetchDeadlineError(too_slow)
    except FetchError:
        if watchdog.expired or watchdog.remaining() < 0.1:
            raise FetchDeadlineError(too_slow) from None
        raise
    finally:
        watchdog.cancel()
    page = FetchedPage(url=url, status=status, content_type=answer_type, body=answer)
    if answer_type in HTML_TYPES or answer_type in TEXT_TYPES or answer_type == "application/json":
        page.text = decode_text(answer, charset, html=answer_type in HTML_TYPES)[0]
    return page


_META_REFRESH = re.compile(r"""<meta\b[^>]*http-equiv\s*=\s*["']?refresh["']?[^>]*>""", re.IGNORECASE)
_HIDDEN_MARKUP = re.compile(r"<!--.*?(-->|$)|<noscript\b.*?(</noscript\s*>|$)", re.IGNORECASE | re.DOTALL)
_CONTENT_ATTR = re.compile(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_REFRESH_VALUE = re.compile(
    r"""^\s*(\d*\.?\d*)\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"']*)["']?\s*$""", re.IGNORECASE
)
#: A refresh later than this is a periodic reload of the page itself (news front pages), not a redirect.
META_REFRESH_MAX_DELAY = 10.0


def meta_refresh_target(page: FetchedPage) -> str:
    """The absolute URL an HTML page sends the browser to with ``<meta http-equiv="refresh">``, or ``""``.

    Only a refresh in the first 16 KB, with a URL other than the page itself and a delay of at most
    META_REFRESH_MAX_DELAY seconds counts (HTML Living Standard, "shared declarative refresh steps").
    Refreshes inside comments (``<!--[if lte IE 9]>`` redirects to "unsupported browser" pages) and inside
    ``<noscript>`` (ignored by the person's browser, which runs scripts) are not followed.
    """
    head = _HIDDEN_MARKUP.sub("", page.text[:65536])[:16384]
    for tag in _META_REFRESH.findall(head):
        content = _CONTENT_ATTR.search(tag)
        if not content:
            continue
        value = html_module.unescape(next(g for g in content.groups() if g is not None))
        match = _REFRESH_VALUE.match(value)
        if not match or not match.group(2).strip():
            continue
        try:
            delay = float(match.group(1) or 0)
        except ValueError:
            continue
        target = urljoin(page.url, match.group(2).strip())
        if delay <= META_REFRESH_MAX_DELAY and target.split("#")[0] != page.url.split("#")[0]:
            return target
    return ""


@dataclass
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    host_header: str


_PATH_SAFE = "/?:@!$&'()*+,;=%-._~"


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefusedError(NOT_HTTP % {"scheme": scheme or "this"})
    host = parts.hostname
    if not host:
        raise FetchRefusedError(gettext_noop("The address has no host name."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefusedError(gettext_noop("The address has an invalid port.")) from exc
    try:
        ascii_host = host.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError as exc:
        raise FetchPermanentError(BAD_HOST % {"host": host}) from exc
    default_port = port == (443 if scheme == "https" else 80)
    shown_host = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    # Percent-encode what may not appear in a request line (spaces, non-ASCII, controls), keeping the rest
    # as given (RFC 3986 §2: reserved characters and existing %XX escapes unchanged).
    path = quote(parts.path or "/", safe=_PATH_SAFE) + (
        f"?{quote(parts.query, safe=_PATH_SAFE)}" if parts.query else ""
    )
    return _Target(
        url, scheme, ascii_host, port, path, shown_host if default_port else f"{shown_host}:{port}"
    )


class _Watchdog:
    """The fetch's one total deadline, enforced on the connected socket itself.

    Socket timeouts bound each read, not the whole answer: a server that sends one byte just before every
    read timeout (slow loris), or headers without end, would otherwise hold a worker for ever. urllib3's
    ``read1`` also loops internally until decoded bytes come out, so a deadline checked between reads is
    not enough. When the time is up a timer thread shuts the socket down (``shutdown(SHUT_RDWR)``), which
    wakes a thread blocked in ``recv`` at once, whatever the answer's shape.

    The socket object is kept from the moment it connects: ``http.client`` sets ``conn.sock`` to None as
    soon as the response owns the socket (every answer without Content-Length, or with
    ``Connection: close``), so looking it up on the connection when the timer fires finds nothing and the
    read blocks on (issue 21, item 2). After a shutdown such an answer reads as a clean end of file, so
    ``fetch`` checks ``expired`` after reading too, never returning a page cut off by the deadline.
    """

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        """Guard ``sock`` (the connection's socket right after connecting) until the next ``watch``."""
        with self._lock:
            self._sock = sock
            if self.expired and sock is not None:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError, ValueError):
        # The plain socket's shutdown, also for TLS (an SSLSocket is a socket.socket): it ends the TCP
        # connection under any reader, even after http.client has handed the socket to the response.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _open(
    target: _Target,
    watchdog: _Watchdog,
    limits: _Limits,
    *,
    method: str = "GET",
    body: bytes | None = None,
    extra_headers: dict[str, str] | None = None,
) -> tuple[HTTPConnection, urllib3.BaseHTTPResponse]:
    address = resolve(target.host, target.port)
    remaining = watchdog.remaining()
    if remaining <= 0:
        raise FetchTemporaryError(gettext_noop("The site took too long to answer."))
    connect_timeout = min(settings.FOLIO_FETCH_CONNECT_TIMEOUT, remaining)
    conn: HTTPConnection
    if target.scheme == "https":
        conn = HTTPSConnection(
            str(address),
            target.port,
            timeout=connect_timeout,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        conn = HTTPConnection(str(address), target.port, timeout=connect_timeout)
    headers = {
        "Host": target.host_header,
        "User-Agent": settings.FOLIO_USER_AGENT,
        "Accept": limits.accept,
        "Accept-Language": "en;q=0.9,*;q=0.5",
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if limits.referer:
        headers["Referer"] = limits.referer
    for name, value in limits.extra_headers:
        headers[name] = value
    headers.update(extra_headers or {})
    host = target.host
    try:
        conn.connect()
        watchdog.watch(conn.sock)
        conn.timeout = min(settings.FOLIO_FETCH_READ_TIMEOUT, max(remaining, 0.001))
        conn.request(
            method, target.path, body=body, headers=headers, preload_content=False, decode_content=True
        )
        response = conn.getresponse()
    except urllib3.exceptions.NewConnectionError as exc:
        # Checked before ConnectTimeoutError, its parent class in urllib3 2.x: a refused connection is not a timeout.
        conn.close()
        raise FetchTemporaryError(REFUSED % {"host": host}) from exc
    except urllib3.exceptions.ConnectTimeoutError as exc:
        conn.close()
        raise FetchTemporaryError(CONNECT_TIMEOUT % {"host": host}) from exc
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
        conn.close()
        raise FetchTemporaryError(NO_ANSWER % {"host": host}) from exc
    except (urllib3.exceptions.SSLError, ssl.SSLError, CertificateError, Urllib3CertificateError) as exc:
        conn.close()
        raise FetchPermanentError(BAD_CERTIFICATE % {"host": host}) from exc
    except (urllib3.exceptions.HTTPError, HTTPException, OSError) as exc:
        conn.close()
        raise FetchTemporaryError(CONNECT_FAILED % {"host": host, "error": type(exc).__name__}) from exc
    return conn, response


def _read_page(
    url: str,
    status: int,
    headers: dict[str, str],
    response: urllib3.BaseHTTPResponse,
    limits: _Limits,
    accept_types: set[str],
    redirects: list[tuple[str, int]],
) -> FetchedPage:
    content_type, charset = _parse_content_type(headers.get("content-type", ""))
    conditional = {name.lower() for name, _ in limits.extra_headers} & {"if-none-match", "if-modified-since"}
    if status == 304 and conditional:
        return FetchedPage(
            url=url, status=status, content_type="", body=b"", redirects=redirects, headers=headers
        )
    if status >= 300:
        error: FetchError
        if status in (408, 429) or status >= 500:
            error = FetchTemporaryError(
                SERVER_ANSWERED % {"status": _status_phrase(status)},
                retry_after=_retry_after(headers.get("retry-after")),
            )
        elif status >= 400:
            error = FetchPermanentError(SERVER_ANSWERED % {"status": _status_phrase(status)})
        else:
            error = FetchPermanentError(REDIRECT_WITHOUT_ADDRESS % {"status": _status_phrase(status)})
        error.status = status
        if content_type in HTML_TYPES | TEXT_TYPES and _encodings_ok(headers):
            with contextlib.suppress(FetchError):
                body = _read_capped(response, ERROR_PAGE_BYTES, truncate=True)
                error.page_text = decode_text(body, charset, html=content_type in HTML_TYPES)[0]
        raise error
    if content_type not in accept_types:
        raise FetchPermanentError(UNREADABLE_TYPE % {"type": content_type})
    if not _encodings_ok(headers):
        raise FetchPermanentError(UNKNOWN_ENCODING % {"encoding": headers.get("content-encoding")})
    body = _read_capped(response, limits.max_bytes)
    page = FetchedPage(
        url=url, status=status, content_type=content_type, body=body, redirects=redirects, headers=headers
    )
    if content_type in HTML_TYPES or content_type in TEXT_TYPES:
        page.text, page.charset = decode_text(body, charset, html=content_type in HTML_TYPES)
    return page


def _encodings_ok(headers: dict[str, str]) -> bool:
    codings = [c.strip().lower() for c in headers.get("content-encoding", "").split(",") if c.strip()]
    return all(c in DECODABLE_ENCODINGS for c in codings)


def _read_capped(response: urllib3.BaseHTTPResponse, limit: int, *, truncate: bool = False) -> bytes:
    """Read the decoded body; past ``limit`` bytes raise (or, with ``truncate``, keep the first bytes)."""
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            chunk = response.read1(64 * 1024)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                if truncate:
                    chunks.append(chunk)
                    break
                raise FetchTooLargeError(TOO_LARGE % {"size": _size(limit)})
            chunks.append(chunk)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise FetchTemporaryError(
            gettext_noop("The site stopped sending the page (read timed out).")
        ) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise FetchPermanentError(
            gettext_noop(
                "The page was sent with a compression Folio cannot decode (the compressed data is damaged)."
            )
        ) from exc
    except (urllib3.exceptions.HTTPError, HTTPException, OSError) as exc:
        raise FetchTemporaryError(
            gettext_noop("The connection broke while the page was downloading.")
        ) from exc
    return b"".join(chunks)[:limit] if truncate else b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
