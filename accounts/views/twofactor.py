"""``/account/two-factor/``: turn two-factor sign-in on (scan a QR code, confirm with a first code, get
recovery codes shown once), make new recovery codes, turn it off (with the password)."""

from __future__ import annotations

import base64
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from articles.errors import ArticleError

from ..services import twofactor

#: Session key holding just-made recovery codes until the page has shown them once.
NEW_CODES_KEY = "folio_new_recovery_codes"


@login_required
def twofactor_view(request: HttpRequest) -> HttpResponse:
    """The page: the state, and the next step (begin; scan and confirm; codes; turn off)."""
    pending = twofactor.totp_pending(user=request.user)
    context = {
        "enabled": twofactor.twofactor_enabled(request.user),
        "pending": pending,
        "secret": base64.b32encode(pending.bin_key).decode() if pending else "",
        "new_codes": request.session.pop(NEW_CODES_KEY, None),
    }
    return render(request, "accounts/twofactor.html", context)


@login_required
@require_safe
def twofactor_qr_view(request: HttpRequest) -> HttpResponse:
    """The QR code (PNG, made by segno) of the pending authenticator's ``otpauth://`` address; 404 when
    none is pending. Never cached."""
    pending = twofactor.totp_pending(user=request.user)
    if pending is None:
        raise Http404("Nothing to scan.")
    buffer = io.BytesIO()
    segno.make(pending.config_url, error="m").save(buffer, kind="png", scale=6, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def twofactor_begin_view(request: HttpRequest) -> HttpResponse:
    """POST: make a new authenticator to scan."""
    try:
        twofactor.totp_begin(user=request.user)
    except ArticleError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:twofactor")


@login_required
@require_POST
def twofactor_confirm_view(request: HttpRequest) -> HttpResponse:
    """POST ``code``: the first code from the app turns two-factor on; the recovery codes are shown once."""
    try:
        codes = twofactor.totp_confirm(user=request.user, code=request.POST.get("code", ""))
    except ArticleError as exc:
        messages.error(request, exc.message)
    else:
        request.session[NEW_CODES_KEY] = codes
        messages.success(request, gettext("Two-factor sign-in is on."))
    return redirect("accounts:twofactor")


@login_required
@require_POST
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """POST: new recovery codes (the old ones stop working), shown once."""
    try:
        request.session[NEW_CODES_KEY] = twofactor.recovery_codes_regenerate(user=request.user)
    except ArticleError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:twofactor")


@login_required
@require_POST
def twofactor_disable_view(request: HttpRequest) -> HttpResponse:
    """POST ``password``: turn two-factor off (the password is asked again, if the account has one)."""
    user = request.user
    if user.has_usable_password() and not user.check_password(request.POST.get("password", "")):
        messages.error(request, gettext("That is not your password; two-factor sign-in stays on."))
    else:
        twofactor.twofactor_disable(user=user)
        messages.success(request, gettext("Two-factor sign-in is off."))
    return redirect("accounts:twofactor")
