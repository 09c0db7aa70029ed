"""Export downloads: ``/export/?format=json|csv|html|md|epub&view=…&tag=…&q=…&article=…``, and the export
jobs an EPUB of more than one article becomes (``/exports/<id>/``: progress polled by htmx, download, cancel)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from ..errors import ArticleError, ArticleNotFound
from ..limits import TAG_NAME_MAX_LENGTH
from ..models import ExportJob
from ..services import export_jobs, exporting


@login_required
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The user's articles (all, or a view / tag / search / single article) as a download. An EPUB of more
    than one article is made in the background: the answer is a redirect to the job's page."""
    fmt = request.GET.get("format", "json")
    view = request.GET.get("view", "all")
    if fmt not in exporting.FORMATS or view not in exporting.VIEWS:
        return HttpResponseBadRequest(gettext("Unknown export format or view."))
    ids = [v for v in request.GET.getlist("article") if v.isdigit()]
    tag = request.GET.get("tag", "").strip()[:TAG_NAME_MAX_LENGTH]
    query = request.GET.get("q", "").strip()[:200]
    articles = exporting.export_articles(user=request.user, view=view, tag=tag, query=query, ids=ids)
    label = " · ".join(p for p in ("Folio", view if view != "all" else "", tag, query) if p)
    if len(ids) == 1:
        first = articles.first()
        label = first.display_title if first else label
    if fmt == "epub" and articles.count() > 1:
        try:
            job = export_jobs.export_job_create(
                user=request.user, ids=articles.values_list("id", flat=True), title=label
            )
        except ArticleError as exc:
            messages.error(request, str(exc))
            return redirect("articles:imports")
        return redirect("articles:export_job", job.pk)
    content_type, extension = exporting.FORMATS[fmt]
    body = exporting.export_render(articles, fmt, title=label)
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="folio-{stamp}.{extension}"'
    return response


def _job(request: HttpRequest, pk: int) -> ExportJob:
    try:
        return export_jobs.export_job_get(user=request.user, job_id=pk)
    except ArticleNotFound as exc:
        raise Http404(str(exc)) from exc


def _job_context(job: ExportJob) -> dict:
    return {"job": job, "total": len(job.article_ids), "active": job.status in export_jobs.ACTIVE}


@login_required
@require_safe
def export_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One export job: the whole page, or (htmx polling every two seconds while it works) its progress
    block. Without JavaScript the page has a reload link."""
    template = (
        "articles/_export_job.html" if request.headers.get("HX-Request") else "articles/export_job.html"
    )
    return render(request, template, _job_context(_job(request, pk)))


@login_required
@require_safe
def export_job_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished book of one of the user's jobs; 404 when it is not ready or its file was deleted."""
    job = _job(request, pk)
    if job.status != ExportJob.Status.READY or not job.file:
        raise Http404(_("This book is not ready, or it was deleted."))
    try:
        handle = job.file.open("rb")
    except OSError as exc:
        raise Http404(_("This book was deleted.")) from exc
    stamp = (job.finished_at or job.created_at).strftime("%Y-%m-%d")
    return FileResponse(
        handle, as_attachment=True, filename=f"folio-{stamp}.epub", content_type=exporting.FORMATS["epub"][0]
    )


@login_required
@require_POST
def export_job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a job that is waiting or running (or delete a ready book); back to the job's page."""
    job = _job(request, pk)
    if export_jobs.export_job_cancel(user=request.user, job_id=job.pk):
        messages.info(request, _("The export was cancelled."))
    job.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(request, "articles/_export_job.html", _job_context(job))
    return redirect("articles:export_job", job.pk)
