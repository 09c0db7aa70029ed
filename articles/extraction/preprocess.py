"""Pre-processing of the parsed page before any extractor sees it, in place.

- ``repair_noscript``: a ``<noscript>`` is unwrapped when it holds an image or prose, so that a page the
  HTML parser nested inside an unclosed ``<div>`` of a ``<noscript>`` is not thrown away with it; short
  "enable JavaScript" notices go.
- ``drop_hidden``: elements the page does not show (``hidden``, ``display:none``, ``visibility:hidden``)
  go, unless they hold prose: collapsed "read more" halves, tab panels, paywalled remainders and
  server-rendered streaming chunks (``<div hidden id="S:0">``) are article text kept in the HTML.
- ``convert_amp``: AMP's ``amp-img``/``amp-anim`` become ``<img>``; ``amp-twitter`` and ``amp-instagram``
  become quotations linking to the post (AMP HTML specification, amp.dev components).
- ``flatten_pre``: ``<pre><pre>`` becomes one ``<pre>`` (extractors turn the nested form into a quote).

Pure: no network, no ORM.
"""

from __future__ import annotations

import re

from lxml import etree

from .text import remove_element

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORD = re.compile(r"\w+")
#: A hidden element holding this many words in paragraphs of PROSE_PARAGRAPH_WORDS or more is article text.
PROSE_WORDS = 60
PROSE_PARAGRAPH_WORDS = 12


def _hidden_candidates(tree: etree._Element) -> list[etree._Element]:
    """Elements of the body with a ``hidden`` attribute or a style that may hide them (``none``,
    ``hidden``), in document order; one Python pass (half the CPU time of the equivalent XPath)."""
    body = tree.find("body")
    if body is None:
        return []
    found = []
    for element in body.iterdescendants(etree.Element):
        style = element.get("style")
        if element.get("hidden") is not None or (style and ("none" in style or "idden" in style)):
            found.append(element)
    return found


def _prose_words(element: etree._Element) -> int:
    total = 0
    for paragraph in element.iter("p"):
        count = len(_WORD.findall("".join(paragraph.itertext())))
        if count >= PROSE_PARAGRAPH_WORDS:
            total += count
            if total >= PROSE_WORDS:
                break
    return total


def drop_hidden(tree: etree._Element) -> dict:
    """Remove hidden elements that hold no prose. Returns ``{"removed": n, "kept": n}`` for the log."""
    removed = kept = 0
    for element in _hidden_candidates(tree):
        if element.getparent() is None or element.tag in ("html", "body"):
            continue
        if element.get("hidden") is None and not _HIDDEN_STYLE.search(element.get("style") or ""):
            continue
        if _prose_words(element) >= PROSE_WORDS:
            kept += 1
            element.attrib.pop("hidden", None)
            element.attrib.pop("style", None)
            continue
        removed += 1
        remove_element(element)
    return {"removed": removed, "kept": kept}


def repair_noscript(tree: etree._Element) -> int:
    """Unwrap ``<noscript>`` elements of the body that hold an image or PROSE_WORDS of prose (their
    content is what the page shows without scripts); remove the other ones. Returns how many were
    unwrapped. A lazy placeholder ``<img>`` right before an unwrapped image copy is left for
    ``media.prepare_images`` to drop."""
    unwrapped = 0
    for noscript in tree.xpath("//body//noscript"):
        if noscript.getparent() is None:
            continue
        if not len(noscript) and "<img" in (noscript.text or ""):
            try:
                fragment = etree.HTML(noscript.text)
            except (etree.ParserError, ValueError):
                fragment = None
            images = fragment.xpath("//img") if fragment is not None else []
            noscript.text = None
            for image in images[:1]:
                noscript.append(image)
        if noscript.find(".//img") is not None or _prose_words(noscript) >= PROSE_WORDS:
            _unwrap(noscript)
            unwrapped += 1
        else:
            remove_element(noscript)
    return unwrapped


def _unwrap(element: etree._Element) -> None:
    """Replace ``element`` by its content (text, children and tail)."""
    parent = element.getparent()
    index = parent.index(element)
    previous = element.getprevious()
    text = element.text or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    children = list(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = element.tail or ""
    if tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + tail
        else:
            anchor = parent[index - 1] if index > 0 else None
            if anchor is not None:
                anchor.tail = (anchor.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
    parent.remove(element)


def flatten_pre(tree: etree._Element) -> None:
    """Code the way extractors keep it (bug-log A21): ``<pre><pre>code</pre></pre>`` -> ``<pre>code</pre>``;
    a ``<pre>`` without ``<code>`` gets one (a bare ``<pre>`` comes out as a quotation with its lines
    joined); inline ``<code>`` becomes ``<kbd>`` (extractors make ``<code>`` a block and split the
    paragraph; ``structure.repair_code`` turns it back into ``<code>``)."""
    for inner in tree.xpath("//pre/pre"):
        outer = inner.getparent()
        if len(outer) == 1 and not (outer.text or "").strip():
            _unwrap(inner)
    for pre in tree.xpath("//pre[not(.//code)]"):
        code = etree.Element("code")
        code.text, pre.text = pre.text, None
        for child in list(pre):
            code.append(child)
        pre.append(code)
    for code in tree.xpath("//code[not(ancestor::pre)]"):
        code.tag = "kbd"


_AMP_IMAGE_ATTRIBUTES = ("src", "srcset", "alt", "width", "height", "title")


def convert_amp(tree: etree._Element) -> int:
    """Turn AMP media elements into plain HTML the extractors know. Returns how many were converted."""
    converted = 0
    for element in tree.xpath("//body//amp-img | //body//amp-anim"):
        image = etree.Element("img")
        for name in _AMP_IMAGE_ATTRIBUTES:
            if element.get(name):
                image.set(name, element.get(name))
        image.tail = element.tail
        parent = element.getparent()
        if parent is not None and image.get("src"):
            parent.replace(element, image)
            converted += 1
    for element in tree.xpath("//body//amp-twitter | //body//amp-instagram"):
        post = element.get("data-tweetid") or element.get("data-shortcode") or ""
        if not post or element.getparent() is None:
            continue
        if element.tag == "amp-twitter":
            url = f"https://twitter.com/i/web/status/{post}"
        else:
            url = f"https://www.instagram.com/p/{post}/"
        quote = etree.Element("blockquote")
        for child in element.xpath(".//blockquote[@placeholder] | .//*[@placeholder]")[:1]:
            quote.text = child.text
            for grandchild in list(child):
                quote.append(grandchild)
        link = etree.SubElement(quote, "a", href=url)
        link.text = url.split("://", 1)[1]
        quote.tail = element.tail
        element.getparent().replace(element, quote)
        converted += 1
    return converted
