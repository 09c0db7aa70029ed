"""The import page (upload form, list of imports), its live progress partial polled by htmx, retry and
cancel."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..forms import ImportForm
from ..importers import FORMATS
from ..models import Import
from ..services.importing import ImportRejectedError, size_message


def _get_import(request: HttpRequest, pk: int) -> Import:
    try:
        return Import.objects.get(pk=pk, user=request.user)
    except Import.DoesNotExist as exc:
        raise Http404("No such import") from exc


def _row(job: Import) -> dict:
    progress = services.import_progress(job)
    active = job.status in (Import.Status.PENDING, Import.Status.RUNNING) or progress["remaining"] > 0
    failed_articles = []
    if progress["failed"] and not active:
        failed_articles = list(
            job.articles.filter(status="failed", deleted_at__isnull=True).values(
                "id", "url", "failure_reason"
            )[:50]
        )
    written = job.created_count + job.duplicate_count + job.failed_count
    return {
        "job": job,
        "progress": progress,
        "active": active,
        "format_label": FORMATS.get(job.format, job.format),
        "written": written,
        "failed_articles": failed_articles,
        "percent": int(100 * written / job.total) if job.total else 0,
        "can_restart": services.import_can_restart(job),
    }


@login_required
def imports_view(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the user's imports. POST: store the uploaded file and queue its import."""
    limit = settings.FOLIO_IMPORT_MAX_BYTES
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1024 * 1024:
        # Refuse before Django spools the whole upload to disk.
        jobs = [_row(job) for job in Import.objects.filter(user=request.user)[:20]]
        context = {
            "form": ImportForm(),
            "rows": jobs,
            "formats": FORMATS.values(),
            "upload_error": size_message(limit),
        }
        return render(request, "articles/imports.html", context, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_create(
                user=request.user, data=form.read_capped(), filename=upload.name or "import"
            )
        except ImportRejectedError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                gettext("Importing %(file)s (%(format)s).")
                % {"file": job.filename, "format": FORMATS.get(job.format, job.format)},
            )
            return redirect("articles:imports")
    jobs = [_row(job) for job in Import.objects.filter(user=request.user)[:20]]
    return render(request, "articles/imports.html", {"form": form, "rows": jobs, "formats": FORMATS.values()})


@login_required
@require_GET
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block of one import (htmx polls it every two seconds while it is active)."""
    return render(request, "articles/_import_progress.html", {"row": _row(_get_import(request, pk))})


@login_required
@require_POST
def import_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again the articles of one import whose fetch failed."""
    job = _get_import(request, pk)
    count = services.import_retry_failed(user=request.user, import_id=job.pk)
    if request.headers.get("HX-Request"):
        job.refresh_from_db()
        return render(request, "articles/_import_progress.html", {"row": _row(job)})
    messages.info(
        request,
        ngettext(
            "Folio will fetch %(count)d article again.", "Folio will fetch %(count)d articles again.", count
        )
        % {"count": count},
    )
    return redirect("articles:imports")


@login_required
@require_POST
def import_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one import that is waiting or running (services.import_cancel)."""
    job = _get_import(request, pk)
    cancelled = services.import_cancel(user=request.user, import_id=job.pk)
    if request.headers.get("HX-Request"):
        job.refresh_from_db()
        return render(request, "articles/_import_progress.html", {"row": _row(job)})
    if cancelled:
        messages.info(request, gettext("Import of %(file)s cancelled.") % {"file": job.filename})
    return redirect("articles:imports")


@login_required
@require_POST
def import_restart_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Retry one failed import from where it stopped (services.import_restart)."""
    job = _get_import(request, pk)
    restarted = services.import_restart(user=request.user, import_id=job.pk)
    if request.headers.get("HX-Request"):
        job.refresh_from_db()
        return render(request, "articles/_import_progress.html", {"row": _row(job)})
    if restarted:
        messages.info(
            request,
            _("Folio continues the import of %(filename)s from where it stopped.")
            % {"filename": job.filename},
        )
    else:
        messages.error(request, _("This import cannot be continued; upload the file again."))
    return redirect("articles:imports")
