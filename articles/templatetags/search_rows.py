"""``{% search_rows page reader_suffix %}``: the result rows of a search page, printed from per-row
view-models (``rows.search_row``: linkding's ``BookmarkItem`` pattern, as the library rows) by the Jinja2
template ``templates/jinja2/articles/_search_rows.html``.

The rows were escaped f-strings here; they are a template again (issue 15, item 4). Decisions (the date
and its label, the reader's address, the tags) are made once per row in Python, and the template only
prints them, with Jinja2's autoescaping; the headline is safe HTML made by articles.search. Cost of a
50-row page: bench/search_rows_bench.py (README "Benchmarks").
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from ..rows import search_rows as search_row_models

register = template.Library()

_ROWS_TEMPLATE = "articles/_search_rows.html"


@register.simple_tag
def search_rows(page, reader_suffix: str = "") -> SafeString:
    """All result rows of a SearchPage (the contents of its ``<ol>``); ``reader_suffix`` (``?q=…``) is added
    to each reader address."""
    rows = search_row_models(page.results, reader_suffix=reader_suffix)
    return mark_safe(engines["jinja2"].get_template(_ROWS_TEMPLATE).render({"rows": rows}))
