"""The tags page: the user's tags with rename, merge and delete (plain forms; htmx refreshes the list)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import queries, services
from ..errors import ArticleError
from .library import is_htmx


def _tags_page(request: HttpRequest, status: str = "", error: bool = False) -> HttpResponse:
    context = {"tags": queries.tag_list(user=request.user), "status": status, "error": error}
    template = "articles/_tag_table.html" if is_htmx(request) else "articles/tags.html"
    return render(request, template, context, status=400 if error and is_htmx(request) else 200)


@login_required
def tags_view(request: HttpRequest) -> HttpResponse:
    """The list of the user's tags with their forms."""
    return _tags_page(request)


def _done(request: HttpRequest, status: str, error: bool = False) -> HttpResponse:
    if is_htmx(request):
        return _tags_page(request, status, error)
    (messages.error if error else messages.success)(request, status)
    return redirect("articles:tags")


@login_required
@require_POST
def tag_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a tag; a name another tag has already merges the two (services.tag_rename's rule)."""
    try:
        tag = services.tag_rename(user=request.user, pk=pk, name=request.POST.get("name", ""))
    except ArticleError as exc:
        return _done(request, exc.message, error=True)
    if tag.pk != pk:
        return _done(request, f"You already had a tag named “{tag.name}”: the two are merged into it.")
    return _done(request, f"Tag renamed to “{tag.name}”.")


@login_required
@require_POST
def tag_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge tag ``pk`` into the tag chosen in the form (``into``)."""
    try:
        target = services.tag_merge(
            user=request.user, source_ids=[pk], target_id=int(request.POST.get("into") or 0)
        )
    except (ArticleError, ValueError):
        return _done(request, "Choose another of your tags to merge into.", error=True)
    return _done(request, f"Merged into “{target.name}”.")


@login_required
@require_POST
def tag_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a tag; its articles stay."""
    try:
        services.tag_delete(user=request.user, pk=pk)
    except ArticleError as exc:
        return _done(request, exc.message, error=True)
    return _done(request, "Tag deleted. Its articles are still in your library.")
