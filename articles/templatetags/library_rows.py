"""Library rows: ``{% library_rows articles %}`` and ``{% library_row article %}`` turn articles into
view-models (articles/rows.py) and print them with the Jinja2 template
``templates/jinja2/articles/_library_rows.html``; also the tag bar and the tag-name datalist of the library
page, and the escaping and URL helpers the search rows share (templatetags/search_rows.py).

The rows are a template again (issue 15, item 4): the decisions (labels, dates, classes, URLs, thumbnail)
are made once per row in Python by ``rows.library_row``, and the template only prints them. The Django
engine took about 1.7 ms of CPU per row for this markup (87 ms for a 50-row page on the loaded bench
machine, against 25 ms for the whole request before); Django's Jinja2 backend prints the same rows in a
fraction of that (bench/library_bench.py), as the issue allowed for the hot partials.
"""

from __future__ import annotations

from html import escape as _escape

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..rows import library_row, library_rows, row_labels, url_for

register = template.Library()

__all__ = ["esc", "url_for"]


def esc(value: object) -> str:
    """HTML-escape ``value`` (& < > " '), as Django's ``escape`` does, without the SafeString wrapping."""
    return _escape(str(value), quote=True)


_ROWS_TEMPLATE = "articles/_library_rows.html"


def _render(context, rows) -> SafeString:
    page = engines["jinja2"].get_template(_ROWS_TEMPLATE)
    return mark_safe(
        page.render(
            {
                "rows": rows,
                "csrf_token": str(context.get("csrf_token", "")),
                "next_url": context.get("next_url") or url_for("articles:library"),
                "actions_url": url_for("articles:actions"),
                "oob": bool(context.get("oob")),
                "labels": row_labels(get_language()),
            }
        )
    )


def _selected(context) -> set[int]:
    return set(context.get("selected_ids") or ())


@register.simple_tag(takes_context=True)
def library_rows_html(context, articles) -> SafeString:
    """The ``<li>`` rows of ``articles`` in order; those in the context's ``selected_ids`` come checked.
    Uses ``csrf_token``, ``next_url`` and ``oob`` from the context."""
    return _render(context, library_rows(articles, selected=_selected(context)))


@register.simple_tag(takes_context=True)
def library_row_html(context, article) -> SafeString:
    """The ``<li>`` row of one article (checked when in the context's ``selected_ids``)."""
    return _render(context, [library_row(article, selected=article.pk in _selected(context))])


@register.simple_tag
def tag_nav_items(tags, current_tag=None) -> SafeString:
    """The ``<li>`` links of the tag bar, ``current_tag``'s marked as the current page. Built here rather
    than in a template loop: the bar and the datalist below cost 0.85 ms per page as loops over 40 tags."""
    current = current_tag.pk if current_tag is not None else None
    marked = ' aria-current="page"'
    return mark_safe(
        "".join(
            f'<li><a class="tag" href="{url_for("articles:tag", t.pk)}"{marked if t.pk == current else ""}>'
            f"{esc(t.name)}</a></li>"
            for t in tags
        )
    )


@register.simple_tag
def tag_options(tags) -> SafeString:
    """The ``<option>`` of each tag name, for the ``tag-names`` datalist that tag fields complete from."""
    return mark_safe("".join(f'<option value="{esc(t.name)}"></option>' for t in tags))
