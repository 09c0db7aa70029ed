"""Images of the main content, put back into a body extracted without images.

Extracting with images on lets image-bearing blocks into the text: teaser cards with thumbnails, photo
credits, related-story grids (bug-log kind 3). So the text is extracted without images, and each image of
the page is put back after the body block it follows in the page: the nearest text block before it is
in the body (or, for a picture above a paragraph, the nearest text block after it is). Images inside a link to another
page (a teaser card), or inside ``nav``, ``aside`` or ``footer``, are not article pictures.

Pure: works on lxml trees in place; no network.
"""

from __future__ import annotations

import re
from copy import copy

from lxml import etree

_WORD = re.compile(r"\w+")
_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp|avif)(\?|#|$)", re.I)
_CONTAINERS = {"ul", "ol", "table", "tbody", "thead", "tr", "dl", "blockquote"}


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text)[:10]).casefold()


def _is_furniture_image(image: etree._Element) -> bool:
    for ancestor in image.iterancestors():
        tag = ancestor.tag
        if tag in ("nav", "aside", "footer", "button"):
            return True
        if tag == "a":
            href = (ancestor.get("href") or "").strip()
            if href and not _IMAGE_FILE.search(href) and href != image.get("src"):
                return True
    return False


def _anchor(block: etree._Element, body: etree._Element) -> etree._Element:
    """The element after which a picture following ``block`` goes: ``block``, or the list, table or
    quotation holding it (a picture cannot sit between list items)."""
    anchor = block
    parent = anchor.getparent()
    while parent is not None and parent is not body and parent.tag in _CONTAINERS | {"li", "td", "th"}:
        anchor, parent = parent, parent.getparent()
    return anchor


def restore_images(body: etree._Element, page: etree._Element, blocks: list[etree._Element]) -> int:
    """Insert copies of the page's article images into ``body`` (whose text ``blocks`` are given in
    order). Returns how many images were put back. Keys are computed only for the text blocks next to
    a candidate image, so the cost follows the number of images, not the size of the page."""
    if page.find(".//img") is None or not blocks:
        return 0
    index: dict[str, etree._Element] = {}
    for block in blocks:
        key = _key("".join(block.itertext()))
        if key:
            index.setdefault(key, block)
    if not index:
        return 0
    present = {image.get("src") for image in body.iter("img")}
    placed = 0
    previous_text: etree._Element | None = None  # the nearest text block before the current item
    waiting: list[tuple[etree._Element, etree._Element | None]] = []  # images waiting for a next block
    for item in page.iter(*_TEXT_TAGS, "img"):
        if item.tag == "img":
            src = item.get("src") or ""
            if src and src not in present and not _is_furniture_image(item):
                waiting.append((item, previous_text))
            continue
        if waiting:
            if any(child.tag in ("p", "li") for child in item):
                continue  # a container; its own blocks come next
            following = index.get(_key("".join(item.itertext())))
            for image, before in waiting:
                target = index.get(_key("".join(before.itertext()))) if before is not None else None
                if image.get("src") in present or (target is None and following is None):
                    continue
                clone = copy(image)
                clone.tail = None
                if target is not None:
                    _anchor(target, body).addnext(clone)
                else:
                    _anchor(following, body).addprevious(clone)
                present.add(image.get("src"))
                placed += 1
            waiting.clear()
        previous_text = item
    return placed


_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "td")
