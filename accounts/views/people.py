"""The administrators' page ``/account/people/``: every account with its article count and disk use,
deactivate / reactivate, invitations (create, list, revoke). Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from articles.errors import ArticleError, NotFoundError

from .. import queries
from ..forms import InvitationForm
from ..services import people

#: Session key holding a just-created invitation link until the page has shown it once.
NEW_INVITATION_KEY = "folio_new_invitation"


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise Http404("No such page.")


@login_required
def people_view(request: HttpRequest) -> HttpResponse:
    """GET: the people, the open invitations, the invitation form (and a new link, once)."""
    _admin_only(request)
    context = {
        "people": queries.people_list(),
        "invitations": queries.invitation_list(),
        "form": InvitationForm(),
        "new_invitation": request.session.pop(NEW_INVITATION_KEY, None),
    }
    return render(request, "accounts/people.html", context)


@login_required
@require_POST
def invitation_create_view(request: HttpRequest) -> HttpResponse:
    """POST: invite someone (the link is shown once; e-mailed too when an address is given)."""
    _admin_only(request)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("That is not an e-mail address."))
        return redirect("accounts:people")
    base = request.build_absolute_uri(reverse("accounts:invite", kwargs={"token": "x"}))[: -len("x/")]
    try:
        invitation, token = people.invitation_create(
            admin=request.user, email=form.cleaned_data["email"], link_base=base
        )
    except NotFoundError as exc:
        raise Http404("No such page.") from exc
    except ArticleError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:people")
    request.session[NEW_INVITATION_KEY] = {
        "url": f"{base}{token}/",
        "email": invitation.email,
        "expires": invitation.expires_at.isoformat(),
    }
    return redirect("accounts:people")


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: revoke an unused invitation."""
    _admin_only(request)
    if not people.invitation_revoke(admin=request.user, invitation_id=pk):
        raise Http404("No such invitation.")
    messages.success(request, gettext("The invitation link no longer works."))
    return redirect("accounts:people")


@login_required
@require_POST
def person_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST (``active``: "1" or "0"): reactivate or deactivate a person."""
    _admin_only(request)
    active = request.POST.get("active") == "1"
    try:
        person = people.user_set_active(admin=request.user, user_id=pk, active=active)
    except NotFoundError as exc:
        raise Http404("No such person.") from exc
    except ArticleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (gettext("%(name)s is active.") if active else gettext("%(name)s is deactivated."))
            % {"name": person.get_username()},
        )
    return redirect("accounts:people")
