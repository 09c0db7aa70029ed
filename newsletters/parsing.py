"""Reading a received e-mail (pure: no models, no services): the parts a newsletter article needs.

Parsed with the standard library's ``email`` package under ``email.policy.default`` (RFC 5322 headers,
MIME per RFC 2045-2049, encoded words per RFC 2047). The body is the part ``EmailMessage.get_body`` picks
(HTML first, then plain text); attachments are never read, decoded or unpacked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import lxml.html
from django.utils.html import escape, linebreaks

from articles.urlnorm import find_url

#: Words of a "view this e-mail in your browser" link, lower case, in the languages Folio is translated
#: into and a few more (English, German, French, Spanish, Italian, Dutch, Portuguese). Matched as a part
#: of the link's text (white space collapsed).
VIEW_ONLINE_PHRASES = (
    # English (Mailchimp "View this email in your browser", Buttondown, Substack "View in browser")
    "view in browser",
    "view in your browser",
    "view this email in your browser",
    "view email in browser",
    "view this email online",
    "view online",
    "view it online",
    "view as a web page",
    "view as webpage",
    "view web version",
    "web version",
    "read online",
    "open in browser",
    "read in browser",
    # German
    "im browser ansehen",
    "im browser anzeigen",
    "im browser öffnen",
    "im browser lesen",
    "online ansehen",
    "online anzeigen",
    "online lesen",
    "webversion",
    "web-version",
    # French
    "voir dans le navigateur",
    "voir dans votre navigateur",
    "afficher dans le navigateur",
    "afficher dans votre navigateur",
    "ouvrir dans le navigateur",
    "voir en ligne",
    "version en ligne",
    "version web",
    "lire en ligne",
    # Spanish
    "ver en el navegador",
    "ver en tu navegador",
    "ver en su navegador",
    "abrir en el navegador",
    "ver en línea",
    "ver online",
    "versión web",
    "versión online",
    "leer en línea",
    # Italian, Dutch, Portuguese
    "visualizza nel browser",
    "visualizza online",
    "versione online",
    "bekijk in je browser",
    "bekijk in browser",
    "online bekijken",
    "ver no navegador",
    "ver no seu navegador",
)


class MessageError(Exception):
    """A message Folio cannot make an article of (no readable body); the text is shown to the sender."""


@dataclass(frozen=True)
class Newsletter:
    """What a received message gives an article.

    - ``html``: the HTML body, or the plain-text body escaped into paragraphs (``<p>``/``<br>``), as a
      whole document with the subject as ``<title>``.
    - ``subject``: the Subject header (RFC 2047 decoded), may be empty.
    - ``sender_name``: the From display name, else its address, else ``""``.
    - ``message_id``: the Message-ID without angle brackets, ``""`` when absent.
    - ``digest``: SHA-256 hex of the Message-ID, or of the raw bytes when there is none (duplicates).
    - ``view_online_url``: the "view in browser" link (http/https), ``""`` when none was found.
    - ``published``: the Date header as an aware datetime, or None.
    """

    html: str
    subject: str
    sender_name: str
    message_id: str
    digest: str
    view_online_url: str
    published: object

    @property
    def mid_url(self) -> str:
        """The message's own address, an RFC 2392 ``mid:`` URL (the Message-ID, %-escaped); a message
        without Message-ID gets ``mid:<sha256 of its bytes>@folio.invalid`` (RFC 2606 reserves .invalid)."""
        mid = self.message_id or f"{self.digest}@folio.invalid"
        return "mid:" + quote(mid, safe="@!$&'()*+,;=:-._~")


def parse(raw: bytes) -> Newsletter:
    """Parse one message (``raw``: its bytes as received, RFC 5322). Raises MessageError when the message
    has neither an HTML nor a plain-text body."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    subject = " ".join(str(message.get("Subject", "") or "").split())
    message_id = _message_id(message)
    digest = hashlib.sha256((message_id or "").encode() if message_id else raw).hexdigest()
    body = message.get_body(preferencelist=("html", "plain"))
    if body is None:
        raise MessageError("The message has no text or HTML part to read.")
    try:
        content = body.get_content()
    except (LookupError, ValueError) as exc:  # an unknown charset or a broken transfer encoding
        raise MessageError("The message's text could not be decoded.") from exc
    if not isinstance(content, str):
        raise MessageError("The message has no text or HTML part to read.")
    if body.get_content_subtype() == "html":
        html = content
        view_online = view_online_link_html(html)
    else:
        html = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(subject)}</title></head>"
            f"<body><article>{linebreaks(content, autoescape=True)}</article></body></html>"
        )
        view_online = view_online_link_text(content)
    return Newsletter(
        html=html,
        subject=subject,
        sender_name=_sender_name(message),
        message_id=message_id,
        digest=digest,
        view_online_url=view_online,
        published=_date(message),
    )


def _message_id(message: EmailMessage) -> str:
    value = str(message.get("Message-ID", "") or "").strip()
    return value.strip("<>").strip()[:900]


def _sender_name(message: EmailMessage) -> str:
    try:
        addresses: tuple[Address, ...] = message["From"].addresses if message["From"] else ()
    except (AttributeError, IndexError, ValueError):
        return ""
    for address in addresses:
        return address.display_name or address.addr_spec
    return ""


def _date(message: EmailMessage):
    value = message.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None


#: Or, in a short link text (at most 15 words), a verb of reading (as a whole word) with a place on the web:
#: "Ver este correo en el navegador", "Diese E-Mail online lesen", "Lire cette lettre sur le web".
VIEW_WORDS = frozenset(
    [
        "view",
        "read",
        "open",
        "see",
        "ansehen",
        "anzeigen",
        "lesen",
        "öffnen",
        "voir",
        "afficher",
        "lire",
        "ouvrir",
        "ver",
        "abrir",
        "leer",
        "visualizar",
        "ábrelo",
        "ábralo",
        "míralo",
        "visualiza",
        "visualizza",
        "leggi",
        "apri",
        "bekijk",
        "bekijken",
        "lees",
        "abra",
    ]
)
PLACE_PHRASES = (
    "browser", "navigateur", "navegador", "online", "en ligne", "en línea", "web version", "webversion",
    "web-version", "version web", "versión web", "sur le web", "on the web", "web page", "webpage", "im web",
)  # fmt: skip


def _is_view_online(text: str) -> bool:
    text = " ".join(text.lower().split())
    if any(phrase in text for phrase in VIEW_ONLINE_PHRASES):
        return True
    words = re.findall(r"\w+", text)
    return len(words) <= 15 and not VIEW_WORDS.isdisjoint(words) and any(p in text for p in PLACE_PHRASES)


def view_online_link_html(html: str) -> str:
    """The address of the first link whose text reads "view in browser" (VIEW_ONLINE_PHRASES), parsed
    with lxml; ``""`` when there is none or the HTML cannot be parsed."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # a str with an XML encoding declaration: as UTF-8 bytes
        try:
            parser = lxml.html.HTMLParser(encoding="utf-8")
            tree = lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
        except (ValueError, lxml.etree.ParserError):
            return ""
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href.lower().startswith(("http://", "https://")):
            continue
        label = anchor.text_content() + " " + (anchor.get("title") or "")
        if _is_view_online(label):
            return href
    return ""


def view_online_link_text(text: str) -> str:
    """The address on the first line (or the line after it) that reads "view in browser" in a plain-text
    message, ``""`` when there is none."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _is_view_online(line):
            url = find_url(line) or (find_url(lines[index + 1]) if index + 1 < len(lines) else "")
            if url:
                return url
    return ""
