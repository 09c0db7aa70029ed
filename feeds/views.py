"""Feed pages: list and subscribe, a feed's page, edit, pause/resume, poll now, unsubscribe, OPML.
Each view validates, calls one service scoped to the person, and renders or redirects (works without JS)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import queries, services
from .forms import FeedEditForm, OpmlImportForm, SubscribeForm, split_tags
from .models import Feed

#: Articles shown on a feed's page.
FEED_PAGE_ARTICLES = 100


def _feed(request: HttpRequest, pk: int) -> Feed:
    return get_object_or_404(Feed, pk=pk, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def feed_list(request: HttpRequest) -> HttpResponse:
    """``/feeds/``: the person's feeds and the subscribe form (POST subscribes)."""
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feed = services.feed_subscribe(
                user=request.user, url=form.cleaned_data["url"], tags=split_tags(form.cleaned_data["tags"])
            )
        except services.FeedError as exc:
            form.add_error("url", exc.message)
        else:
            messages.success(request, _("Subscribed to %(title)s.") % {"title": feed.title})
            return redirect("feeds:detail", pk=feed.pk)
    return render(
        request,
        "feeds/list.html",
        {"form": form, "feeds": queries.feed_list(user=request.user), "opml_form": OpmlImportForm()},
        status=400 if form.errors else 200,
    )


@login_required
def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``/feeds/<id>/``: status (last success, error, next poll) and the articles the feed brought."""
    feed = _feed(request, pk)
    return render(
        request,
        "feeds/detail.html",
        {
            "feed": feed,
            "articles": queries.feed_articles(feed=feed)[:FEED_PAGE_ARTICLES],
            "counts": queries.feed_entry_counts(feed=feed),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def feed_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/feeds/<id>/edit/``: title, tags, interval, archive on arrival, query."""
    feed = _feed(request, pk)
    initial = {
        "title": feed.title,
        "tags": ", ".join(feed.tags),
        "interval": feed.interval,
        "archive_on_arrival": feed.archive_on_arrival,
        "match_query": feed.match_query,
    }
    form = FeedEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.feed_update(
                feed,
                title=data["title"],
                tags=split_tags(data["tags"]),
                interval=data["interval"],
                archive_on_arrival=data["archive_on_arrival"],
                match_query=data["match_query"],
            )
        except services.FeedError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Feed saved."))
            return redirect("feeds:detail", pk=feed.pk)
    return render(
        request, "feeds/edit.html", {"feed": feed, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def feed_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/feeds/<id>/pause/`` with ``paused=1`` (pause) or ``paused=0`` (resume)."""
    feed = services.feed_set_paused(_feed(request, pk), request.POST.get("paused") == "1")
    messages.success(request, _("Feed paused.") if feed.is_paused else _("Feed resumed."))
    return redirect("feeds:detail", pk=feed.pk)


@login_required
@require_POST
def feed_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/feeds/<id>/poll/``: queue a poll now."""
    feed = _feed(request, pk)
    if services.feed_poll_now(feed):
        messages.success(request, _("Checking the feed now; new articles appear in a moment."))
    else:
        messages.warning(request, _("The task queue is unreachable; the feed will be checked shortly."))
    return redirect("feeds:detail", pk=feed.pk)


@login_required
@require_POST
def feed_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/feeds/<id>/delete/``: unsubscribe; the articles already saved stay."""
    feed = _feed(request, pk)
    title = feed.title
    services.feed_delete(feed)
    messages.success(
        request, _("Unsubscribed from %(title)s. Its articles stay in your library.") % {"title": title}
    )
    return redirect("feeds:list")


@login_required
@require_POST
def opml_import(request: HttpRequest) -> HttpResponse:
    """POST ``/feeds/opml/``: subscribe to every feed of an uploaded OPML file."""
    form = OpmlImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an OPML file to import."))
        return redirect("feeds:list")
    upload = form.cleaned_data["file"]
    try:
        result = services.opml_import(user=request.user, data=upload.read(services.opml_read_limit()))
    except services.OpmlError as exc:
        messages.error(request, exc.reason)
        return redirect("feeds:list")
    messages.success(
        request,
        _("%(added)d feeds added, %(existing)d already followed, %(failed)d refused.")
        % {"added": len(result.added), "existing": result.existing, "failed": len(result.failures)},
    )
    for url, reason in result.failures[:10]:
        messages.warning(request, f"{url}: {reason}")
    return redirect("feeds:list")


@login_required
def opml_export(request: HttpRequest) -> HttpResponse:
    """GET ``/feeds/opml/export/``: the person's subscriptions as an OPML download."""
    response = HttpResponse(
        services.opml_export(user=request.user), content_type="text/x-opml; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="folio-feeds.opml"'
    return response
