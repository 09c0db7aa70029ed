"""Settings-page actions of the newsletters app (POST only, back to the settings page with a message). The
section itself is rendered by the ``newsletters_settings`` tag (templatetags/newsletters.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.errors import ArticleError

from . import services
from .forms import FORM_KEY, MailboxForm

SETTINGS_ANCHOR = "#newsletters-heading"
BOOLEANS = ("mark_seen", "enabled")


def _back() -> HttpResponse:
    response = redirect("articles:settings")
    response["Location"] += SETTINGS_ANCHOR
    return response


@login_required
@require_POST
def address_rotate_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/newsletters/address/``: a new private address; the old one stops working."""
    try:
        services.address_rotate(user=request.user)
    except ArticleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("New newsletter address made; mail to the old one is refused."))
    return _back()


@login_required
@require_POST
def mailbox_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/newsletters/mailbox/``: store the IMAP settings. Errors come back on the page with
    what was typed (except the password)."""
    form = MailboxForm(request.POST)
    if form.is_valid():
        try:
            services.mailbox_set(user=request.user, **form.cleaned_data)
        except ArticleError as exc:
            form.add_error(None, exc.message)
    if form.errors:
        values: dict[str, object] = {
            k: v for k, v in request.POST.items() if k in form.fields and k not in ("password", *BOOLEANS)
        }
        values.update({name: name in request.POST for name in BOOLEANS})
        request.session[FORM_KEY] = {"data": values, "errors": form.errors.get_json_data()}
        messages.error(request, _("The mailbox settings were not saved: see the errors below."))
    else:
        messages.success(request, _("Mailbox saved; Folio checks it every few minutes."))
    return _back()


@login_required
@require_POST
def mailbox_delete_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/newsletters/mailbox/delete/``: forget the IMAP settings (articles stay)."""
    if services.mailbox_delete(user=request.user):
        messages.success(request, _("Mailbox removed; articles it brought stay in your library."))
    return _back()
