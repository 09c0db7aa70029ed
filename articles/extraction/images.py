"""Images (and lists) of the main content, put back into a body extracted without images.

Extracting with images on lets image-bearing blocks into the text: teaser cards with thumbnails, photo
credits, related-story grids (bug-log kind 3). So the text is extracted without images, and each image of
the page is put back after the body block it follows in the page: the nearest text block before it is
in the body (or, for a picture above a paragraph, the nearest text block after it is). Images inside a link to another
page (a teaser card), or inside ``nav``, ``aside`` or ``footer``, are not article pictures. Lists the
extractor dropped (on minimal pages, inside table cells, lists of links: bug-log A18, A20, A22) come back
the same way, when they stand between two blocks of the article.

Pure: works on lxml trees in place; no network.
"""

from __future__ import annotations

import re
from copy import copy, deepcopy

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
    if not blocks or (
        page.find(".//img") is None and page.find(".//ul") is None and page.find(".//ol") is None
    ):
        return 0
    index: dict[str, etree._Element] = {}
    for block in blocks:
        key = _key("".join(block.itertext()))
        if key:
            index.setdefault(key, block)
        if block.tag == "table":  # its cells are text blocks of the page
            for cell in block.iter("td", "th"):
                cell_key = _key("".join(cell.itertext()))
                if cell_key:
                    index.setdefault(cell_key, block)
    if not index:
        return 0
    present = {image.get("src") for image in body.iter("img")}
    placed = 0
    previous_text: etree._Element | None = None  # the nearest text block before the current item
    waiting: list[tuple[etree._Element, etree._Element | None]] = []  # images waiting for a next block
    waiting_list: etree._Element | None = None
    for item in page.iter(*_TEXT_TAGS, "img", "ul", "ol"):
        if item.tag in ("ul", "ol"):
            if _missing_list(item, index):
                waiting.append((item, previous_text))
                waiting_list = item
            continue
        if waiting_list is not None and waiting_list in item.iterancestors():
            continue  # an item of the list waiting to be placed
        if item.tag == "img":
            src = item.get("src") or ""
            if src and src not in present and not _is_furniture_image(item):
                waiting.append((item, previous_text))
            continue
        if any(child.tag in ("p", "li", "ul", "ol") for child in item):
            continue  # a container; its own blocks come next
        if waiting:
            following = index.get(_key("".join(item.itertext())))
            for image, before in waiting:
                target = index.get(_key("".join(before.itertext()))) if before is not None else None
                if image.tag == "img":
                    if (target is None and following is None) or image.get("src") in present:
                        continue
                elif target is None or following is None:
                    continue  # a list comes back only between two blocks of the article
                clone = deepcopy(image) if image.tag != "img" else copy(image)
                clone.tail = None
                if target is not None:
                    _anchor(target, body).addnext(clone)
                else:
                    _anchor(following, body).addprevious(clone)
                present.add(image.get("src"))
                placed += 1
                if image.tag != "img":
                    for item_key in (_key("".join(li.itertext())) for li in clone.iter("li")):
                        index.setdefault(item_key, clone)
            waiting.clear()
            waiting_list = None
        previous_text = item
    return placed


def _missing_list(element: etree._Element, index: dict[str, etree._Element]) -> bool:
    """A page list of the article that the extractor left out (bug-log A18, A20, A22): none of its items
    is in the body, it is not navigation and it is not inside another list."""
    if any(
        a.tag in ("nav", "aside", "footer", "header", "ul", "ol", "menu") for a in element.iterancestors()
    ):
        return False
    items = [li for li in element.iterchildren("li")]
    if not items or len(items) > 40:
        return False
    return not any(_key("".join(li.itertext())) in index for li in items)


_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "td")
