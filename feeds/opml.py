"""OPML 2.0 (http://opml.org/spec2.opml) subscription lists: read with defusedxml, written with ElementTree.
Pure: no models, no network.

Reading refuses entity declarations outright (``forbid_entities``): a "billion laughs" file, whose nested
entities expand a few hundred bytes into gigabytes, is refused before anything is expanded, as is any
external entity or DTD fetch.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _


class OpmlError(Exception):
    """The file cannot be read as OPML; ``reason`` is a sentence for the person."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class OpmlFeed:
    """One subscription of an OPML file: ``url`` (its ``xmlUrl``), title, site address, and tags (the
    names of the folders it sits in, and its ``category`` attribute's entries)."""

    url: str
    title: str = ""
    site_url: str = ""
    tags: list[str] = field(default_factory=list)


def opml_parse(data: bytes, *, max_feeds: int = 1000) -> list[OpmlFeed]:
    """The subscriptions of OPML file ``data``, in file order (at most ``max_feeds``; outlines without
    ``xmlUrl`` are folders). Raises OpmlError for a file that declares entities, is not XML, or is not
    OPML."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OpmlError(
            _(
                "The file declares XML entities, which Folio refuses: they can expand a small file into "
                "gigabytes (the “billion laughs” attack). Export the list again from your feed reader."
            )
        ) from exc
    except (ParseError, ValueError) as exc:
        raise OpmlError(_("The file is not valid XML: %(error)s") % {"error": exc}) from exc
    if root.tag.lower() != "opml" or root.find("body") is None:
        raise OpmlError(_("The file is not an OPML subscription list (no <opml> with a <body>)."))
    feeds: list[OpmlFeed] = []
    _walk(root.find("body"), [], feeds, max_feeds)
    return feeds


def _walk(element, folders: list[str], out: list[OpmlFeed], limit: int) -> None:
    for outline in element.findall("outline"):
        if len(out) >= limit:
            return
        attrs = {k.lower(): (v or "").strip() for k, v in outline.attrib.items()}
        title = attrs.get("title") or attrs.get("text") or ""
        url = attrs.get("xmlurl", "")
        if url:
            categories = [c.strip().strip("/") for c in attrs.get("category", "").split(",")]
            tags = [*folders, *(c.rsplit("/", 1)[-1] for c in categories if c)]
            out.append(OpmlFeed(url=url, title=title, site_url=attrs.get("htmlurl", ""), tags=tags))
        else:
            _walk(outline, [*folders, title] if title else folders, out, limit)


def opml_build(feeds: list[OpmlFeed], *, title: str = "Folio subscriptions") -> bytes:
    """An OPML 2.0 document (UTF-8 bytes) listing ``feeds``; tags go in each outline's ``category``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.title or feed.url, "title": feed.title or feed.url}
        attrs["xmlUrl"] = feed.url
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
