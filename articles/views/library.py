"""The library: the views (Unread, Continue reading, Favorites, Archive, All, per tag, per site) with keyset
"more" pages, the save form, the live status row, and the actions on one or many articles. Every action is a
plain form POST (redirect back) that htmx upgrades to a partial swap."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .. import queries, services
from ..errors import ArticleError
from ..forms import SaveForm
from ..models import Article
from ..services import media_jobs
from .pwa import offline_change_time

PAGE_SIZE = 50
#: Session key holding the ids of the last deleted articles, for the "Undo" form after a plain POST.
UNDO_KEY = "folio_undo_delete"


def _get_article(request: HttpRequest, pk: int) -> Article:
    try:
        return queries.article_get(user=request.user, pk=pk)
    except Article.DoesNotExist as exc:
        raise Http404("No such article") from exc


def is_htmx(request: HttpRequest) -> bool:
    """True for requests sent by htmx (they get a fragment instead of a redirect or a whole page)."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, default: str = "articles:library") -> str:
    """The ``next`` address from the POST (or GET) if it is on this site, else ``default`` resolved."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


def _library(
    request: HttpRequest,
    view: str,
    *,
    tag_id: int | None = None,
    site: str = "",
    form: SaveForm | None = None,
) -> HttpResponse:
    sort = request.GET.get("sort", "newest")
    if sort not in queries.LIBRARY_SORTS:
        sort = "newest"
    tags = queries.tag_list(user=request.user)
    tag = None
    if view == "tag":
        tag = next((t for t in tags if t.pk == tag_id), None)
        if tag is None:
            raise Http404("No such tag")
    try:
        page = queries.article_page(
            user=request.user,
            view=view,
            tag=tag,
            site=site,
            sort=sort,
            cursor=request.GET.get("after"),
            limit=PAGE_SIZE,
            tags=tags,
        )
    except ValueError:
        return HttpResponseBadRequest(gettext("This page address is not valid."))
    heading = queries.LIBRARY_VIEWS[view][0]
    if tag is not None:
        heading = gettext("Tag: %(name)s") % {"name": tag.name}
    elif view == "site":
        heading = gettext("Site: %(site)s") % {"site": site}
    undo_ids = request.session.pop(UNDO_KEY, None) if UNDO_KEY in request.session else None
    context = {
        "form": form or SaveForm(),
        "articles": page.articles,
        "next_cursor": page.next_cursor,
        "view": view,
        "current_tag": tag,
        "site": site,
        "heading": heading,
        "tags": tags,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _, _) in queries.LIBRARY_SORTS.items()],
        "next_url": request.get_full_path(),
        "list_url": request.path,
        "undo_ids": undo_ids,
    }
    if is_htmx(request) and request.GET.get("after"):
        return render(request, "articles/_article_rows.html", context)
    return render(request, "articles/library.html", context)


@login_required
def library_view(request: HttpRequest) -> HttpResponse:
    """GET: the Unread view (the inbox). POST: save the URL from the form."""
    form = SaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _article, created = services.article_save_url(
                user=request.user,
                url=form.cleaned_data["url"],
                tags=form.tag_names(),
                origin=Article.Origin.FORM,
            )
        except ArticleError as exc:
            form.add_error("url", exc.message)
        else:
            if created:
                messages.success(request, gettext("Saved. Folio is fetching the article."))
            else:
                messages.info(request, gettext("You had already saved this article; it is back at the top."))
            return redirect("articles:library")
    return _library(request, "unread", form=form)


@login_required
@require_GET
def library_list_view(request: HttpRequest, view: str) -> HttpResponse:
    """Continue reading, Favorites, Archive or All (``view`` comes from the URL pattern)."""
    return _library(request, view)


@login_required
@require_GET
def tag_articles_view(request: HttpRequest, tag_id: int) -> HttpResponse:
    """The articles with one of the user's tags."""
    return _library(request, "tag", tag_id=tag_id)


@login_required
@require_GET
def site_articles_view(request: HttpRequest, site: str) -> HttpResponse:
    """The articles from one site (by the site name shown in the list)."""
    return _library(request, "site", site=site)


@login_required
@require_GET
def article_row_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The row of one article (htmx polls it while the article is queued or fetching)."""
    article = queries.article_list(user=request.user).filter(pk=pk).first()
    if article is None:
        raise Http404("No such article")
    return render(request, "articles/_article_row.html", {"article": article, "next_url": safe_next(request)})


@login_required
@require_POST
def article_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed (or any) article again."""
    article = _get_article(request, pk)
    services.article_retry(user=request.user, ids=[article.pk])
    if is_htmx(request):
        article.refresh_from_db()
        return render(request, "articles/_article_row.html", {"article": article})
    messages.info(request, gettext("Folio will fetch the article again."))
    return redirect(safe_next(request))


# --- Actions on one or many articles ---------------------------------------------------------------------

#: action name -> (service, keyword arguments, past-tense message)
_STATE_ACTIONS = {
    # The status line: a plural pair with the number of articles as %(count)d.
    "archive": (
        services.article_archive_bulk,
        {"value": True},
        ngettext_lazy("%(count)d article archived.", "%(count)d articles archived.", "count"),
    ),
    "unarchive": (
        services.article_archive_bulk,
        {"value": False},
        ngettext_lazy(
            "%(count)d article moved back to Unread.", "%(count)d articles moved back to Unread.", "count"
        ),
    ),
    "favorite": (
        services.article_favorite_bulk,
        {"value": True},
        ngettext_lazy(
            "%(count)d article added to Favorites.", "%(count)d articles added to Favorites.", "count"
        ),
    ),
    "unfavorite": (
        services.article_favorite_bulk,
        {"value": False},
        ngettext_lazy(
            "%(count)d article removed from Favorites.", "%(count)d articles removed from Favorites.", "count"
        ),
    ),
    "read": (
        services.article_read_bulk,
        {"value": True},
        ngettext_lazy("%(count)d article marked read.", "%(count)d articles marked read.", "count"),
    ),
    "unread": (
        services.article_read_bulk,
        {"value": False},
        ngettext_lazy("%(count)d article marked unread.", "%(count)d articles marked unread.", "count"),
    ),
    "delete": (
        services.article_delete_bulk,
        {},
        ngettext_lazy("%(count)d article deleted.", "%(count)d articles deleted.", "count"),
    ),
    "restore": (
        services.article_restore_bulk,
        {},
        ngettext_lazy("%(count)d article restored.", "%(count)d articles restored.", "count"),
    ),
    "refetch": (
        services.article_retry,
        {},
        ngettext_lazy(
            "%(count)d article queued to be fetched again.",
            "%(count)d articles queued to be fetched again.",
            "count",
        ),
    ),
}

#: Actions whose change, made offline, is sent later with the time it was made (the newest change wins).
_MARK_ACTIONS = frozenset({"archive", "unarchive", "favorite", "unfavorite", "read", "unread"})


def _ids(request: HttpRequest) -> list[int]:
    ids = []
    for raw in request.POST.getlist("ids"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    return ids[:1000]


@login_required
@require_POST
def article_action_view(request: HttpRequest) -> HttpResponse:
    """Apply ``action`` to the articles ``ids`` (one from a row or the reader, many from the selection).

    Actions: archive, unarchive, favorite, unfavorite, read, unread, delete, restore (undo), refetch,
    ``tag`` (with ``tags``, comma-separated, created on the fly) and ``untag`` (with ``tag``, a tag id).
    htmx gets the changed rows (``partial=reader`` gets the reader's toolbar); a plain POST is redirected
    to ``next`` with a message.
    """
    action = request.POST.get("action", "")
    ids = _ids(request)
    if not ids:
        if is_htmx(request):
            return render(
                request, "articles/_action_status.html", {"status": gettext("Select some articles first.")}
            )
        messages.error(request, gettext("Select some articles first."))
        return redirect(safe_next(request))
    if action == "keep_images":
        return _keep_images(request, ids)
    try:
        if action in _STATE_ACTIONS:
            service, kwargs, done = _STATE_ACTIONS[action]
            changed_at = offline_change_time(request)
            if changed_at is not None and action in _MARK_ACTIONS:  # sent later by the service worker
                kwargs = {**kwargs, "changed_at": changed_at}
            count = service(user=request.user, ids=ids, **kwargs)
            status = done % {"count": count}
        elif action == "tag":
            names = [n for n in request.POST.get("tags", "").split(",") if n.strip()]
            if not names:
                raise ArticleError(gettext("Type a tag name."))
            tags = services.article_tag_bulk(user=request.user, ids=ids, names=names)
            status = ngettext(
                "Tagged %(count)d article with %(tags)s.",
                "Tagged %(count)d articles with %(tags)s.",
                len(ids),
            ) % {"count": len(ids), "tags": ", ".join(t.name for t in tags)}
        elif action == "untag":
            services.article_untag_bulk(
                user=request.user, ids=ids, tag_ids=[request.POST.get("tag", "0") or 0]
            )
            status = gettext("Tag removed.")
        else:
            raise ArticleError(gettext("Unknown action."))
    except (ArticleError, ValueError) as exc:
        message = getattr(exc, "message", gettext("This action is not valid."))
        if is_htmx(request):
            return render(
                request, "articles/_action_status.html", {"status": message, "error": True}, status=400
            )
        messages.error(request, message)
        return redirect(safe_next(request))

    next_url = safe_next(request)
    if not is_htmx(request):
        if action == "delete":
            request.session[UNDO_KEY] = ids
        else:
            messages.success(request, status)
        return redirect(next_url)
    return _action_partial(request, action, ids, status, next_url)


def _keep_images(request: HttpRequest, ids: list[int]) -> HttpResponse:
    """The "Keep images" action: start an image job for the selection and show its live progress (htmx:
    the progress block in the selection bar; otherwise the job's page)."""
    try:
        job = media_jobs.image_job_create(user=request.user, ids=ids)
    except ArticleError as exc:
        if is_htmx(request):
            return render(
                request, "articles/_action_status.html", {"status": exc.message, "error": True}, status=400
            )
        messages.error(request, exc.message)
        return redirect(safe_next(request))
    if is_htmx(request):
        return render(request, "articles/_image_job.html", {"job": job})
    return redirect("articles:image_job", pk=job.pk)


def _action_partial(
    request: HttpRequest, action: str, ids: list[int], status: str, next_url: str
) -> HttpResponse:
    """The htmx answer to an action: the reader toolbar, the one row, or a status plus out-of-band rows."""
    if request.POST.get("partial") == "reader":
        if action == "delete":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("articles:library")
            return response
        article = _get_article(request, ids[0])
        context = {"article": article, "tags": queries.tag_list(user=request.user), "status": status}
        return render(request, "articles/_reader_actions.html", context)
    if action == "delete":
        rows = [queries.article_get_deleted(user=request.user, pk=pk) for pk in ids]
        rows = [a for a in rows if a is not None]
        template = "articles/_article_deleted.html"
    else:
        rows = list(queries.article_list(user=request.user).filter(pk__in=ids))
        template = "articles/_article_row.html"
    context = {
        "articles": rows,
        "status": status,
        "template": template,
        "next_url": next_url,
        "ids": ids,
        "action": action,
        # A bulk action keeps its selection: the changed rows come back checked.
        "selected_ids": ids if request.POST.get("partial") != "row" else (),
    }
    if request.POST.get("partial") == "row" and len(rows) == 1:
        return render(request, template, {**context, "article": rows[0]})
    return render(request, "articles/_action_result.html", context)
