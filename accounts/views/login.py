"""Log-in: Django's LoginView (the password checked through django-axes' throttling), followed, for a person
who turned two-factor on, by a second step asking for a code from their authenticator app or a recovery
code. The password step alone never logs in such a person: it leaves a pending sign-in in the session, valid
``FOLIO_TWOFACTOR_WAIT_SECONDS`` and for at most MAX_CODE_TRIES codes; a wrong code also counts as a failed
log-in for django-axes."""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from ..services import twofactor
from ..throttling import lockout_response

#: Session key of a sign-in waiting for its second factor: {"user", "backend", "at", "next", "tries"}.
PENDING_KEY = "folio_twofactor_pending"
#: Codes one password entry may try before the password must be typed again.
MAX_CODE_TRIES = 5


class FolioLoginView(auth_views.LoginView):
    """``/login/`` (and ``/admin/login/``): user name and password; then the code step when two-factor is on."""

    def post(self, request, *args, **kwargs):
        """Password log-in, unless ``FOLIO_PASSWORD_LOGIN`` is off (then 403: single sign-on only)."""
        if not settings.FOLIO_PASSWORD_LOGIN:
            return HttpResponseForbidden(
                gettext("Password log-in is off on this Folio: sign in with single sign-on.")
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.twofactor_enabled(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
            "tries": 0,
        }
        return redirect("accounts:login_code")


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > settings.FOLIO_TWOFACTOR_WAIT_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def login_code_view(request: HttpRequest) -> HttpResponse:
    """``/login/code/``: the second step. GET: the code form. POST ``code``: a right code logs in and goes
    on to ``next``; a wrong one shows the form again (400), and after MAX_CODE_TRIES the password step
    starts over. Without a pending sign-in: back to ``/login/``."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect("login")
    error = ""
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request, None, credentials)
        if twofactor.twofactor_verify(user=user, code=request.POST.get("code", "")):
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=pending["backend"])
            return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        pending["tries"] = pending.get("tries", 0) + 1
        if pending["tries"] >= MAX_CODE_TRIES:
            request.session.pop(PENDING_KEY, None)
            return redirect("login")
        request.session[PENDING_KEY] = pending
        error = "That code is not right (or was already used). Try the next code from your app."
    return render(request, "accounts/login_code.html", {"error": error}, status=400 if error else 200)
