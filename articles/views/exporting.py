"""Export downloads: ``/export/?format=json|csv|html|md|epub&view=…&tag=…&q=…&article=…``."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ..limits import TAG_NAME_MAX_LENGTH
from ..services import exporting


@login_required
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The user's articles (all, or a view / tag / search / single article) as a download."""
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
    content_type, extension = exporting.FORMATS[fmt]
    body = exporting.export_render(articles, fmt, title=label)
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="folio-{stamp}.{extension}"'
    return response
