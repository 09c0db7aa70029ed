"""Account pages: the settings page (the bookmarklet, with how to use it on a phone; the send-the-page
option; personal API tokens, created, listed, revoked, a new key shown once) and the reader settings
(font, size, line height, column width, theme) at /settings/reader/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from compat.views import api_clients_context

from ..forms import ApiTokenCreateForm, ReaderSettingsForm, SavingSettingsForm
from ..limits import TOKEN_NAME_MAX_LENGTH
from ..services.account import (
    api_token_create,
    api_token_revoke,
    reader_settings_get,
    reader_settings_update,
    saving_options_update,
)
from ..tokens import api_token_list
from .bookmarklet import bookmarklet_code, bookmarklet_href, folio_origin


@login_required
def reader_settings_view(request: HttpRequest) -> HttpResponse:
    """GET: the form with the current settings. POST: save them and come back (they apply on every page)."""
    current = reader_settings_get(user=request.user)
    form = ReaderSettingsForm(
        request.POST or None,
        initial={
            "font": current.font,
            "font_size": current.font_size,
            "line_height": f"{current.line_height:.1f}",
            "column_width": current.column_width,
            "theme": current.theme,
            "offline_articles": current.offline_articles,
            "language": current.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if value is not None}
        if "language" not in request.POST:  # a form without the field leaves the language as it is
            values.pop("language", None)
        reader_settings_update(user=request.user, **values)
        if "language" in values:  # the message below already in the language just chosen
            translation.activate(values["language"] or translation.get_language_from_request(request))
        messages.success(request, gettext("Reader settings saved."))
        return redirect("articles:reader_settings")
    return render(request, "articles/reader_settings.html", {"form": form})


#: Session key holding a just-created token key until the settings page has shown it once.
NEW_TOKEN_KEY = "folio_new_api_token"


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """GET ``/settings/``: the page. A key created a moment ago is shown here once, then forgotten."""
    reader_settings = reader_settings_get(user=request.user)
    context = {
        "bookmarklet_href": bookmarklet_href(request),
        "bookmarklet_code": "javascript:" + bookmarklet_code(request),
        "folio_origin": folio_origin(request),
        "saving_form": SavingSettingsForm(initial={"send_page_html": reader_settings.send_page_html}),
        "token_form": ApiTokenCreateForm(),
        "tokens": list(api_token_list(user=request.user)),
        "new_token": request.session.pop(NEW_TOKEN_KEY, None),
        **api_clients_context(request),  # the "API clients" include (compat/views.py)
    }
    return render(request, "articles/settings.html", context)


@login_required
@require_POST
def settings_saving_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/saving/``: switch sending the page HTML on or off."""
    form = SavingSettingsForm(request.POST)
    form.is_valid()  # a missing checkbox means off; nothing else can be invalid
    enabled = bool(form.cleaned_data.get("send_page_html"))
    saving_options_update(user=request.user, send_page_html=enabled)
    if enabled:
        messages.success(request, gettext("The bookmarklet sends the page as your browser shows it."))
    else:
        messages.success(request, gettext("The bookmarklet sends only the address; Folio fetches the page."))
    return redirect("articles:settings")


@login_required
@require_POST
def api_token_create_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/tokens/``: create a token; its key is shown once on the settings page."""
    form = ApiTokenCreateForm(request.POST)
    if form.is_valid():
        token, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        request.session[NEW_TOKEN_KEY] = {"name": token.name, "key": key}
        messages.success(request, gettext("Token created. Copy it now: Folio cannot show it again."))
    else:
        messages.error(
            request,
            gettext("A token needs a name of at most %(max)d characters.") % {"max": TOKEN_NAME_MAX_LENGTH},
        )
    return redirect("articles:settings")


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/settings/tokens/<id>/revoke/``: delete one of the person's tokens; it stops working at once."""
    if api_token_revoke(user=request.user, token_id=pk):
        messages.success(request, gettext("Token revoked."))
    else:
        messages.error(request, gettext("There is no such token."))
    return redirect("articles:settings")
