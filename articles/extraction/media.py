"""Images before extraction: lazy-loaded images become normal ``<img src>`` with absolute URLs.

Runs on the parsed page before the extractor sees it (the extractor keeps ``<img src>`` only):

- ``data-src``, ``data-lazy-src``, ``data-original``, ``data-srcset``, ``srcset`` and ``<picture><source>``
  fill an ``src`` that is missing or a placeholder (a ``data:`` URI, a spacer or "blank" image);
- an image right after a copy of itself goes (the lazy placeholder beside its unwrapped ``<noscript>`` copy);
- tracking pixels (declared 1-2 px, or a beacon/pixel URL) and small icons (both sides under 40 px) go.

Pure: works on an lxml tree in place; no network.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from .text import remove_element

LAZY_ATTRIBUTES = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-orig-file",
    "data-medium-file",
)
SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "srcset")
_PLACEHOLDER = re.compile(
    r"^data:|blank|spacer|placeholder|transparent|lazy[-_]?load|grey\.gif|pixel\.gif", re.I
)
_TRACKER = re.compile(
    r"(^|[/._-])(pixel|beacon|tracking|tracker|analytics|spacer)([/._?-]|$)|doubleclick|/b/ss/|facebook\.com/tr",
    re.I,
)
_SIZE = re.compile(r"^\s*(\d+)")


def srcset_candidates(srcset: str) -> list[tuple[str, float]]:
    """``[(url, size)]`` of a ``srcset`` value, parsed as the HTML Living Standard says ("parse a srcset
    attribute"): a URL runs to the next white space, so commas inside it stay (``/w_400,h_300/a.jpg``);
    a trailing comma ends the candidate; ``size`` is the ``w`` or ``x`` descriptor (0 when absent)."""
    found: list[tuple[str, float]] = []
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if not url:
            break
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start = position
            while position < length and srcset[position] != ",":
                position += 1
            descriptor = srcset[start:position].strip()
        size = 0.0
        match = re.match(r"([\d.]+)\s*[wx]", descriptor)
        if match:
            try:
                size = float(match.group(1))
            except ValueError:
                size = 0.0
        if url:
            found.append((url, size))
    return found


def best_from_srcset(srcset: str) -> str:
    """The largest candidate URL of a ``srcset`` value (by ``w`` or ``x`` descriptor; the last on a tie)."""
    best, best_size = "", -1.0
    for url, size in srcset_candidates(srcset):
        if size >= best_size:
            best, best_size = url, size
    return best


def _dimension(image: etree._Element, name: str) -> int | None:
    match = _SIZE.match(image.get(name) or "")
    return int(match.group(1)) if match else None


def _is_junk(image: etree._Element, src: str) -> bool:
    width, height = _dimension(image, "width"), _dimension(image, "height")
    if (width is not None and width <= 2) or (height is not None and height <= 2):
        return True
    if width is not None and height is not None and width < 40 and height < 40:
        return True
    return bool(_TRACKER.search(src))


def _source(image: etree._Element) -> str:
    src = (image.get("src") or "").strip()
    if src and not _PLACEHOLDER.search(src):
        return src
    for name in LAZY_ATTRIBUTES:
        value = (image.get(name) or "").strip()
        if value and not value.startswith("data:"):
            return value
    for name in SRCSET_ATTRIBUTES:
        value = best_from_srcset(image.get(name) or "")
        if value and not value.startswith("data:"):
            return value
    # The HTML parser nests the <img> inside an unclosed <source>; look up to the <picture>.
    for picture in image.xpath("ancestor::picture[1]"):
        for source in picture.iter("source"):
            value = best_from_srcset(source.get("srcset") or source.get("data-srcset") or "")
            if value and not value.startswith("data:"):
                return value
    return ""  # a placeholder (data: URI, spacer, "blank" image) with no real source beside it


def keep_embedded_posts(tree: etree._Element) -> int:
    """Embedded social posts (``<blockquote class="twitter-tweet">``, ``instagram-media``...) are quotations
    the article makes; extractors drop them as "social" widgets. Strip the class names of such blockquotes
    and of their wrappers so that they are read as ordinary quotations. Returns how many were kept."""
    kept = 0
    for quote in tree.xpath("//body//blockquote[@class]"):
        classes = (quote.get("class") or "").lower()
        if any(word in classes for word in ("tweet", "instagram", "tiktok", "mastodon", "bluesky", "social")):
            quote.attrib.pop("class", None)
            parent = quote.getparent()
            if parent is not None and parent.tag == "div" and len(parent) <= 3:
                parent.attrib.pop("class", None)
                parent.attrib.pop("id", None)
            kept += 1
    return kept


def prepare_images(tree: etree._Element, base_url: str) -> dict:
    """Normalise the page's images in place, sources made absolute against ``base_url`` (the page's
    base); returns counts ``{"lazy": n, "dropped": n}`` for the log."""
    lazy = dropped = 0
    for image in list(tree.iter("img")):
        src = _source(image)
        absolute = src
        if src and base_url and not src.startswith(("http://", "https://")):
            try:
                absolute = urljoin(base_url, src)
            except ValueError:
                absolute = src
        previous = image.getprevious()
        duplicate = previous is not None and previous.tag == "img" and previous.get("src") == absolute
        if not src or _is_junk(image, src) or duplicate:
            remove_element(image)
            dropped += 1
            continue
        if absolute != (image.get("src") or ""):
            lazy += 1
            image.set("src", absolute)
        for name in (*LAZY_ATTRIBUTES, *SRCSET_ATTRIBUTES):
            image.attrib.pop(name, None)
    return {"lazy": lazy, "dropped": dropped}


def figure_captions(tree: etree._Element) -> dict[str, str]:
    """``{image src: caption}`` for the page's pictures in a ``<figure>`` with a ``<figcaption>`` (run after
    ``prepare_images``, so the sources are absolute). Extractors keep the image and drop the caption."""
    captions: dict[str, str] = {}
    for figure in tree.xpath("//body//figure[.//img and .//figcaption]")[:200]:
        caption = " ".join(figure.xpath("string(.//figcaption)").split())
        if not caption:
            continue
        for image in figure.iter("img"):
            src = image.get("src") or ""
            if src:
                captions.setdefault(src, caption)
    return captions


def restore_captions(body: etree._Element, captions: dict[str, str]) -> int:
    """Wrap each image of ``body`` that had a caption in the page in ``<figure>`` with that ``<figcaption>``.
    Returns how many captions were put back."""
    restored = 0
    for image in list(body.iter("img")):
        caption = captions.get(image.get("src") or "")
        parent = image.getparent()
        if not caption or parent is None or image.xpath("ancestor::figure"):
            continue
        figure = etree.Element("figure")
        image.addprevious(figure)
        figure.tail, image.tail = image.tail, None
        figure.append(image)
        figcaption = etree.SubElement(figure, "figcaption")
        figcaption.text = caption
        restored += 1
    return restored
