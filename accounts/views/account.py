"""A person's account pages: ``/account/`` (e-mail, password, two-factor, shared links, export, delete),
sign-up through an invitation (or open sign-up), and deleting the account. Password change and reset are
Django's own views (``reader/urls.py``) with Folio's templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from articles.errors import ArticleError, NotFoundError
from articles.services.account import account_delete

from ..forms import DeleteAccountForm, EmailForm, SignupForm
from ..services import people

#: The backend a just-created account is logged in with (the model backend; axes is only for passwords typed).
LOGIN_BACKEND = "articles.auth.FolioModelBackend"


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """``/account/``: the person's account page."""
    context = {"email_form": EmailForm(initial={"email": request.user.email})}
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def email_change_view(request: HttpRequest) -> HttpResponse:
    """POST ``/account/email/``: change the e-mail address."""
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            people.email_change(user=request.user, email=form.cleaned_data["email"])
        except ArticleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("E-mail address saved."))
    else:
        messages.error(request, gettext("That is not an e-mail address."))
    return redirect("accounts:account")


def _signup(request: HttpRequest, token: str | None) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.account_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                invitation_token=token,
            )
        except NotFoundError as exc:
            raise Http404("Sign-up is closed.") from exc
        except ArticleError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, gettext("Welcome to Folio, %(name)s.") % {"name": user.get_username()})
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "invited": token is not None},
        status=400 if form.errors else 200,
    )


def signup_view(request: HttpRequest) -> HttpResponse:
    """``/account/signup/``: open sign-up, only when ``FOLIO_OPEN_SIGNUP`` is on (404 otherwise)."""
    if not settings.FOLIO_OPEN_SIGNUP:
        raise Http404("Sign-up is closed.")
    return _signup(request, None)


def invite_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """``/account/invite/<token>/``: create an account with an invitation (404 once it is used, revoked or
    expired)."""
    if not people.invitation_usable(token):
        raise Http404("This invitation link was already used, was revoked or has expired.")
    return _signup(request, token)


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """``/account/delete/``: GET asks for the password (if the account has one) and a typed "delete";
    POST deletes the account and everything in it (``articles.services.account.account_delete``) and logs
    out."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if user.has_usable_password() and not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", gettext("That is not your password."))
        else:
            logout(request)
            deletion = account_delete(user=user)
            messages.success(
                request,
                ngettext(
                    "Your account is deleted, with %(count)d article.",
                    "Your account is deleted, with %(count)d articles.",
                    deletion.articles,
                )
                % {"count": deletion.articles},
            )
            return redirect("login")
    return render(request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def sessions_view(request: HttpRequest) -> HttpResponse:
    """``/account/sessions/``: where the person is logged in; log one or all others out (POST)."""
    from ..services import sessions

    current = request.session.session_key
    if request.method == "POST":
        if request.POST.get("all") == "1":
            count = sessions.sessions_revoke_others(user=request.user, current_key=current)
            messages.success(
                request,
                ngettext("%(count)d other session logged out.", "%(count)d other sessions logged out.", count)
                % {"count": count},
            )
        elif not sessions.session_revoke(
            user=request.user, session_id=request.POST.get("id", ""), current_key=current
        ):
            raise Http404("No such session.")
        else:
            messages.success(request, gettext("That session is logged out."))
        return redirect("accounts:sessions")
    rows = sessions.session_list(user=request.user, current_key=current)
    return render(request, "accounts/sessions.html", {"sessions": rows})
