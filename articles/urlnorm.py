"""URL normalization for duplicate detection: two addresses of the same article get the same key.

Rules (RFC 3986 §6.2.2-6.2.3 syntax- and scheme-based normalization, plus the tracking parameters that
read-later apps and link shorteners strip): lower-case scheme and host, IDNA host, default port dropped,
empty path as ``/``, fragment dropped, a trailing ``?`` dropped, tracking parameters removed, the
remaining query parameters sorted.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext

from .errors import InvalidURLError
from .limits import URL_MAX_LENGTH

TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "__hs", "_hs")
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_eid",
    "mc_cid",
    "_ga",
    "_gl",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "ref_src",
    "ref_url",
    "mkt_tok",
    "s_cid",
    "spm",
    "itm_source",
    "itm_medium",
    "itm_campaign",
    "cmpid",
    "ncid",
    "sr_share",
    "wt_mc",
    "rss",
    "at_medium",
    "at_campaign",
    "guccounter",
    "guce_referrer",
    "guce_referrer_sig",
}
MAX_URL_LENGTH = URL_MAX_LENGTH
#: Characters that never stand in a host name, even an internationalized one (RFC 3986 §2, §3.2.2).
_BAD_HOST_CHARACTER = re.compile(r'[\s\x00-\x1f\x7f<>"{}|\\^`]')


def validate_url(url: str) -> str:
    """Return ``url`` stripped if it is an absolute http(s) URL with a host; else raise InvalidURLError."""
    url = (url or "").strip()
    if not url:
        raise InvalidURLError(gettext("Enter the address of the article."))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURLError(
            gettext("The address is longer than %(max)d characters.") % {"max": MAX_URL_LENGTH}
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as exc:
        raise InvalidURLError(gettext("That is not a valid web address.")) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURLError(gettext("Folio saves http and https addresses only."))
    if not parts.hostname:
        raise InvalidURLError(gettext("The address has no host name."))
    if _BAD_HOST_CHARACTER.search(parts.hostname):
        # "http://exa mple.com/x" was saved and retried for a while (the DNS lookup of "exa mple.com"
        # failed); white space, controls and RFC 3986 §2's excluded characters never stand in a host.
        raise InvalidURLError(gettext("That is not a valid web address."))
    return url


def normalize_url(url: str) -> str:
    """The duplicate-detection key of ``url`` (see the module docstring). Raises InvalidURLError."""
    parts = urlsplit(validate_url(url))
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    host = host.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    query.sort()
    key = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))
    if len(key) > MAX_URL_LENGTH:  # the key column holds 2048 characters (PostgreSQL refuses more)
        raise InvalidURLError(
            gettext("The address is longer than %(max)d characters.") % {"max": MAX_URL_LENGTH}
        )
    return key


#: An http(s) address inside free text (a share sheet's "Read this: https://…"); it ends at white space or
#: a character that cannot stand unencoded in a URL (RFC 3986 §2: quotes, angle brackets).
_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
#: Sentence punctuation that follows an address in prose and is not part of it.
_TRAILING = ".,;:!?'\"\u201d\u2019\u00bb)]}\u2026"


def find_url(*texts: str) -> str:
    """The first http(s) address in ``texts`` (checked in order), or ``""``.

    An address ends at white space; sentence punctuation after it is dropped, and a closing bracket is kept
    only when the address opened one (Wikipedia's ``…_(band)``). Used by the share target: Android apps put
    the address in ``text`` ("Read this: https://…") and leave ``url`` empty. Nothing is validated here;
    the saving service does that (validate_url).
    """
    for text in texts:
        match = _URL_IN_TEXT.search(text or "")
        if not match:
            continue
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            closing = url[-1]
            opening = {")": "(", "]": "[", "}": "{"}.get(closing)
            if opening and url.count(opening) >= url.count(closing):
                break
            url = url[:-1]
        if len(url) > len("https://"):
            return url
    return ""
