"""``{% article_row article %}``: one library row, rendered in Python.

A library page has 50 rows of about 100 template nodes each (four small forms, URLs, states); through the
template engine that was most of the page's server time (bench/library_bench.py: about 120 ms of 130 ms).
The same markup built with escaped f-strings costs well under a millisecond per row. Every value from the
article is escaped with ``html.escape`` (quote=True); URLs come from ``reverse`` once per process (per name).
"""

from __future__ import annotations

from html import escape as _escape
from urllib.parse import quote

from django import template
from django.template.defaultfilters import floatformat
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from ..models import Article

register = template.Library()


def esc(value: object) -> str:
    """HTML-escape ``value`` (& < > " '), as Django's ``escape`` does, without the SafeString wrapping."""
    return _escape(str(value), quote=True)


_SENTINEL = "987654321"
_STATUS_LABELS = {value: str(esc(label)) for value, label in Article.Status.choices}
_patterns: dict[tuple[str, str], str] = {}


def url_for(name: str, arg: object | None = None) -> str:
    """``reverse(name, args=[arg])`` with the pattern resolved once per process and script prefix."""
    key = (get_script_prefix(), name)
    if key not in _patterns:
        _patterns[key] = reverse(name, args=[_SENTINEL]) if name != "articles:actions" else reverse(name)
    pattern = _patterns[key]
    return pattern if arg is None else pattern.replace(_SENTINEL, str(arg), 1)


def _hidden(csrf: str, pk: int, next_url: str, partial: str = "row") -> str:
    return (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<input type="hidden" name="ids" value="{pk}"><input type="hidden" name="partial" value="{partial}">'
        f'<input type="hidden" name="next" value="{next_url}">'
    )


def _button(action: str, label: str, key: str = "", extra: str = "") -> str:
    data = f' data-key="{key}"' if key else ""
    return f'<button type="submit" name="action" value="{action}" class="small secondary{extra}"{data}>{label}</button>'


def render_row(article, *, csrf: str, next_url: str, oob: bool = False) -> SafeString:
    """The ``<li>`` of one article in a library list (see templates/articles/_article_row.html)."""
    pk = article.pk
    title = esc(article.display_title)
    next_url = esc(next_url)
    csrf = esc(csrf)
    actions = url_for("articles:actions")
    target = f'hx-post="{actions}" hx-target="#article-{pk}" hx-swap="outerHTML"'
    classes = f"article-row status-{esc(article.status)}"
    if article.is_archived:
        classes += " is-archived"
    if article.is_read:
        classes += " is-read"
    if article.is_favorite:
        classes += " is-favorite"
    attrs = ' hx-swap-oob="true"' if oob else ""
    if article.is_pending:
        attrs += f' hx-get="{url_for("articles:row", pk)}" hx-trigger="every 2s" hx-swap="outerHTML"'

    if article.site_name:
        href = url_for("articles:site", quote(article.site_name, safe=""))
        site = f'<a class="site" href="{href}">{esc(article.site_name)}</a>'
    else:
        site = f'<span class="site">{esc(article.domain)}</span>'
    meta = [site]
    if article.reading_time_minutes:
        meta.append(f'<span class="reading-time">{article.reading_time_minutes} min read</span>')
    meta.append(
        f'<span class="badge badge-{esc(article.status)}" role="status">'
        f"{_STATUS_LABELS.get(article.status, '')}</span>"
    )
    if article.is_favorite:
        meta.append('<span class="state state-favorite">★ Favorite</span>')
    if article.is_read:
        meta.append('<span class="state state-read">Read</span>')
    elif article.progress_percent:
        meta.append(
            f'<span class="state state-progress">{floatformat(article.progress_percent, 0)}% read</span>'
        )
    if article.is_archived:
        meta.append('<span class="state state-archived">Archived</span>')

    # queries.article_page attaches the tags as ``tag_list``; single rows come with prefetched tags.
    tags = getattr(article, "tag_list", None)
    if tags is None:
        tags = list(article.tags.all())
    tag_html = ""
    if tags:
        chips = "".join(
            f'<li class="tag"><a href="{url_for("articles:tag", t.pk)}">{esc(t.name)}</a>'
            f'<form method="post" action="{actions}" class="inline" {target}>'
            f'{_hidden(csrf, pk, next_url)}<input type="hidden" name="tag" value="{t.pk}">'
            f'<button type="submit" name="action" value="untag" class="tag-remove" '
            f'aria-label="Remove tag {esc(t.name)}" title="Remove tag">&times;</button></form></li>'
            for t in tags
        )
        tag_html = f'<ul class="tag-list" aria-label="Tags">{chips}</ul>'

    if article.status == "failed":
        body = f'<p class="failure">{esc(article.failure_reason)}</p>'
    elif article.excerpt:
        excerpt = article.excerpt if len(article.excerpt) <= 240 else article.excerpt[:239].rstrip() + "…"
        body = f'<p class="excerpt">{esc(excerpt)}</p>'
    else:
        body = ""

    buttons = [
        _button("unread", "Mark unread", "m") if article.is_read else _button("read", "Mark read", "m"),
        _button("unarchive", "Unarchive", "e") if article.is_archived else _button("archive", "Archive", "e"),
        _button("unfavorite", "Unfavorite", "f")
        if article.is_favorite
        else _button("favorite", "Favorite", "f"),
        _button("refetch", "Retry" if article.status == "failed" else "Refetch"),
        _button("delete", "Delete", extra=" danger"),
    ]
    return mark_safe(
        f'<li class="{classes}" id="article-{pk}" data-id="{pk}" data-status="{esc(article.status)}" '
        f'tabindex="-1"{attrs}>'
        f'<input type="checkbox" class="row-select" name="ids" value="{pk}" form="bulk-form" '
        f'id="select-{pk}" aria-label="Select “{title}”">'
        f'<div class="row-main">'
        f'<h3 class="article-title"><a class="row-link" href="{url_for("articles:reader", pk)}">'
        f"{title}</a></h3>"
        f'<p class="article-meta">{" ".join(meta)}</p>'
        f"{tag_html}{body}"
        f'<div class="row-actions">'
        f'<form method="post" action="{actions}" class="inline action-buttons" {target}>'
        f"{_hidden(csrf, pk, next_url)}{''.join(buttons)}</form>"
        f'<details class="row-tags" data-key="t"><summary>Add tags</summary>'
        f'<form method="post" action="{actions}" class="tag-form" {target}>{_hidden(csrf, pk, next_url)}'
        f'<label for="tags-{pk}" class="visually-hidden">Tags for “{title}” (separated by commas)</label>'
        f'<input type="text" id="tags-{pk}" name="tags" list="tag-names" autocomplete="off" '
        f'placeholder="Tag names, separated by commas">'
        f'<button type="submit" name="action" value="tag" class="small">Add</button></form></details>'
        f"</div></div></li>"
    )


@register.simple_tag(takes_context=True)
def article_row(context, article) -> SafeString:
    """Render one row; uses ``csrf_token``, ``next_url`` and ``oob`` from the template context."""
    return render_row(
        article,
        csrf=str(context.get("csrf_token", "")),
        next_url=context.get("next_url") or url_for_library(),
        oob=bool(context.get("oob")),
    )


@register.simple_tag
def tag_url(pk: int) -> str:
    """The address of the tag view of tag ``pk`` (url_for, cheaper than ``{% url %}`` in a loop)."""
    return url_for("articles:tag", pk)


def url_for_library() -> str:
    """The Unread view's address (the default ``next``)."""
    return reverse("articles:library")
