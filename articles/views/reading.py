"""The note on an article (reader form), the highlights library (``/highlights/``, its Markdown and Readwise
CSV exports) and the reading statistics (``/stats/``, its CSV): issue 17 items 3-5. Every write goes
through ``services.article_update``; every read through ``services.highlights_library`` and
``services.reading``, scoped by the requesting person."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import queries, services
from ..errors import ArticleError
from ..limits import ARTICLE_NOTE_MAX_LENGTH, TAG_NAME_MAX_LENGTH
from ..models import Highlight
from ..search.query import MAX_QUERY_LENGTH
from ..services import highlights_library, reading
from ..services.exporting import csv_cell
from .library import _get_article, is_htmx


@login_required
@require_POST
def article_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the note on article ``pk`` (the reader's note form; "" clears it) through
    services.article_update. htmx gets the note partial back; a plain form goes back to the reader. A
    note over ARTICLE_NOTE_MAX_LENGTH is refused with a message and the typed text is kept in the form."""
    article = _get_article(request, pk)
    text = request.POST.get("note", "")
    try:
        article = services.article_update(user=request.user, pk=article.pk, note=text)
    except ArticleError as exc:
        if is_htmx(request):
            context = {"article": article, "note_error": exc.message, "note_text": text}
            return render(request, "reading/_article_note.html", context | _note_limits(), status=400)
        messages.error(request, exc.message)
        return redirect(reverse("articles:reader", args=[article.pk]) + "#article-note")
    if is_htmx(request):
        context = {"article": article, "note_saved": True}
        return render(request, "reading/_article_note.html", context | _note_limits())
    messages.success(request, _("Note saved."))
    return redirect(reverse("articles:reader", args=[article.pk]) + "#article-note")


def _note_limits() -> dict:
    return {"note_max_length": ARTICLE_NOTE_MAX_LENGTH}


def _library_args(request: HttpRequest) -> dict:
    article = request.GET.get("article", "")
    return {
        "query": request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH],
        "tag": request.GET.get("tag", "").strip()[:TAG_NAME_MAX_LENGTH],
        "color": request.GET.get("color", "").strip(),
        "article_id": int(article) if article.isdigit() else None,
    }


@login_required
@require_GET
def highlights_view(request: HttpRequest) -> HttpResponse:
    """``/highlights/?q=&tag=&color=&article=&after=``: every highlight and article note of the person,
    newest first, filtered and searched (services.highlights_library), 30 to a page (``after``: keyset
    cursor; a bad one or an unknown colour answers 400)."""
    args = _library_args(request)
    try:
        page = highlights_library.highlights_library_page(
            user=request.user, after=request.GET.get("after", ""), **args
        )
    except ArticleError as exc:
        return HttpResponseBadRequest(exc.message)
    filtered_article = None
    if args["article_id"] is not None:
        filtered_article = queries.article_list(user=request.user).filter(pk=args["article_id"]).first()
    context = {
        "page": page,
        "q": args["query"],
        "tag": args["tag"],
        "color": args["color"],
        "article_id": args["article_id"] or "",
        "filtered_article": filtered_article,
        "colors": Highlight.Color.choices,
        "tags": queries.tag_list(user=request.user),
        "filters": _filter_query(args),
    }
    template = "reading/_highlight_items.html" if is_htmx(request) else "reading/highlights.html"
    return render(request, template, context)


def _filter_query(args: dict) -> str:
    pairs = {
        "q": args["query"],
        "tag": args["tag"],
        "color": args["color"],
        "article": args["article_id"] or "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


@login_required
@require_GET
def highlights_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The highlights library's selection (same ``q``/``tag``/``color``/``article`` as the page) as a
    Markdown ZIP (``md``: one file per article with front matter, for Obsidian) or Readwise's CSV
    (``csv``), streamed (CSV) or spooled to a bounded buffer (ZIP)."""
    args = _library_args(request)
    if args["color"] and args["color"] not in Highlight.Color.values:
        return HttpResponseBadRequest(_("Unknown colour."))
    stamp = timezone.now().strftime("%Y-%m-%d")
    if fmt == "md":
        archive = highlights_library.highlights_export_markdown_zip(user=request.user, **args)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=f"folio-highlights-{stamp}.zip",
            content_type="application/zip",
        )
    response = StreamingHttpResponse(
        highlights_library.highlights_export_readwise_csv(user=request.user, **args),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="folio-highlights-{stamp}.csv"'
    return response


@login_required
@require_GET
def stats_view(request: HttpRequest) -> HttpResponse:
    """``/stats/``: the person's reading statistics (services.reading.reading_stats) with a bar chart of
    words read per week drawn as inline SVG by the template (no script)."""
    stats = reading.reading_stats(user=request.user)
    return render(request, "reading/stats.html", {"stats": stats, "chart": _chart(stats)})


#: Size of the weekly chart's drawing, in SVG user units (scaled to the page width by CSS).
CHART_WIDTH, CHART_HEIGHT, CHART_LABEL = 360, 160, 18


def _chart(stats: reading.ReadingStats) -> dict:
    """Bars of words read per week, scaled to the busiest week: [{x, y, width, height, label, title}]."""
    weeks = stats.weeks
    top = max((w.words for w in weeks), default=0) or 1
    slot = CHART_WIDTH / max(1, len(weeks))
    plot = CHART_HEIGHT - CHART_LABEL
    bars = []
    for i, week in enumerate(weeks):
        height = round(plot * week.words / top, 1)
        bars.append(
            {
                "x": round(i * slot + slot * 0.15, 1),
                "y": round(plot - height, 1),
                "width": round(slot * 0.7, 1),
                "height": height,
                "label_x": round(i * slot + slot / 2, 1),
                "label": week.start.strftime("%d.%m") if (len(weeks) - 1 - i) % 2 == 0 else "",
                "week": week,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "label_y": CHART_HEIGHT - 4,
        "base": plot,
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def stats_export_view(request: HttpRequest) -> HttpResponse:
    """The weekly statistics as CSV (services.reading.reading_stats_csv_rows)."""
    stats = reading.reading_stats(user=request.user)
    writer = csv.writer(_Echo())
    body = "".join(
        writer.writerow([csv_cell(v) for v in row]) for row in reading.reading_stats_csv_rows(stats)
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="folio-reading-{stamp}.csv"'
    return response
