"""The HTML parser of extraction: lxml's, with every element an ``lxml.html.HtmlElement``.

Pure: no ORM, no network.
"""

from __future__ import annotations

import threading

import lxml.html
from lxml import etree


def _html_parser() -> etree.HTMLParser:
    """An lxml HTML parser whose elements are all ``lxml.html.HtmlElement`` (``text_content``,
    ``drop_tree``, ...), looked up in C by ``ElementDefaultClassLookup``.

    ``lxml.html``'s own parser calls a Python ``lookup`` method for every element proxy it creates
    (over 500,000 calls on the 181 scrapinghub-aeb pages, in Folio's passes and in trafilatura's on
    the same tree); its only other classes are the form-field ones (``FormElement``, ``InputElement``),
    which extraction never uses (form controls are removed, see ``_DONE_WITH``)."""
    parser = etree.HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_parsers = threading.local()


def html_parser() -> etree.HTMLParser:
    """This thread's parser of ``_html_parser`` (lxml parsers must not be shared between threads)."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = _html_parser()
    return parser
