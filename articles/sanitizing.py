"""The sanitizer: the only way article HTML reaches a template (``clean(html, base_url) -> str``).

An nh3 (ammonia) allow-list: text structure, links, images, tables and code survive; scripts, styles,
event handlers, forms, iframes and every attribute not listed are removed. Relative ``href``/``src``
values are made absolute against the article's address (except Folio's own kept images, LOCAL_IMAGE_PATH),
and images are lazy-loaded.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
}
#: Path of an image Folio keeps (``articles:image``, services/media.py): kept as it is, never resolved
#: against the article's address. One slash only, so a protocol-relative ``//host/...`` never matches.
LOCAL_IMAGE_PATH = re.compile(r"^/images/(?P<digest>[0-9a-f]{64})\.(?P<ext>webp|jpg)$")
#: Class of the link left where an image could not be kept (imaging.rewrite_images).
IMAGE_MISSING_CLASS = "folio-image-missing"
#: Highlight colours (articles.models.Highlight.Color; kept here because sanitizing is pure) and the
#: classes highlighting.mark_highlights puts on a highlight's ``<mark>``.
HIGHLIGHT_COLORS = ("yellow", "green", "blue", "pink")
HIGHLIGHT_CLASSES = {"hl", *(f"hl-{c}" for c in HIGHLIGHT_COLORS)}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "code": {"class"},
    "pre": {"class"},
    "mark": {"class"},
}
#: With ``highlight_marks`` (only highlighting.mark_highlights asks): a highlight's ``<mark>`` keeps these.
HIGHLIGHT_MARK_ATTRIBUTES = {"data-highlight-id", "data-color"}
URL_ATTRIBUTES = {("a", "href"), ("img", "src"), ("q", "cite"), ("blockquote", "cite")}
URL_SCHEMES = {"http", "https", "mailto"}


def clean(html: str, base_url: str | None = None, *, highlight_marks: bool = False) -> str:
    """Return ``html`` reduced to Folio's allow-list, safe to render as-is.

    ``base_url`` resolves relative links and image sources (RFC 3986 §5 reference resolution);
    URLs with any scheme other than http, https and mailto are dropped. Links get
    ``rel="noopener noreferrer nofollow"`` and images ``loading="lazy"``. With ``highlight_marks`` (the
    reader's highlights, highlighting.mark_highlights) ``<mark>`` keeps ``data-highlight-id`` (digits),
    ``data-color`` (HIGHLIGHT_COLORS) and the HIGHLIGHT_CLASSES; stored article HTML never has them.
    """

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) in URL_ATTRIBUTES:
            value = value.strip()
            if tag == "img" and LOCAL_IMAGE_PATH.match(value):
                return value
            if base_url:
                value = urljoin(base_url, value)
            if urlsplit(value).scheme.lower() not in URL_SCHEMES:
                return None
        if tag == "mark" and attribute == "data-highlight-id":
            return value if highlight_marks and value.isdigit() else None
        if tag == "mark" and attribute == "data-color":
            return value if highlight_marks and value in HIGHLIGHT_COLORS else None
        if attribute == "class":
            # Only language hints on code blocks, the search highlight class and the missing-image link's
            # class survive.
            keep = [
                c
                for c in value.split()
                if c.startswith("language-")
                or c in ("match", IMAGE_MISSING_CLASS)
                or (highlight_marks and tag == "mark" and c in HIGHLIGHT_CLASSES)
            ]
            return " ".join(keep) or None
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=(
            {**ALLOWED_ATTRIBUTES, "mark": ALLOWED_ATTRIBUTES["mark"] | HIGHLIGHT_MARK_ATTRIBUTES}
            if highlight_marks
            else ALLOWED_ATTRIBUTES
        ),
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        strip_comments=True,
        clean_content_tags={"script", "style", "noscript", "template", "iframe", "object", "svg", "math"},
    )
