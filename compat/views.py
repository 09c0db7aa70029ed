"""The settings page's "API clients" section (``templates/compat/_settings_api_clients.html``): the
person's wallabag API clients, a new one's secret shown once, revoking. Writes go through
``articles.services.apps``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model

from articles.limits import TOKEN_NAME_MAX_LENGTH
from articles.services import oauth_client_create, oauth_client_revoke

#: Session key holding a just-created client's id and secret until the settings page has shown it once.
NEW_CLIENT_KEY = "folio_new_oauth_client"


def api_clients_context(request: HttpRequest) -> dict:
    """The section's context: ``oauth_clients`` (the person's clients, newest first) and
    ``new_oauth_client`` (name, id and secret of a client made a moment ago, then forgotten)."""
    clients = get_application_model().objects.filter(user=request.user).order_by("-created", "-id")
    return {
        "oauth_clients": list(clients.only("id", "name", "client_id", "created")),
        "new_oauth_client": request.session.pop(NEW_CLIENT_KEY, None),
        "folio_server_url": request.build_absolute_uri("/").rstrip("/"),
    }


@login_required
@require_POST
def api_client_create_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/apps/clients/``: create a client; its secret is shown once on the settings page."""
    name = request.POST.get("name", "")
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        messages.error(request, f"A client's name has at most {TOKEN_NAME_MAX_LENGTH} characters.")
        return redirect("articles:settings")
    application, secret = oauth_client_create(user=request.user, name=name)
    request.session[NEW_CLIENT_KEY] = {
        "name": application.name,
        "client_id": application.client_id,
        "client_secret": secret,
    }
    messages.success(request, "API client created. Copy its secret now: Folio cannot show it again.")
    return redirect("articles:settings")


@login_required
@require_POST
def api_client_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/settings/apps/clients/<id>/revoke/``: delete one of the person's clients and its tokens."""
    if oauth_client_revoke(user=request.user, pk=pk):
        messages.success(request, "API client revoked: apps using it are signed out.")
    else:
        messages.error(request, "There is no such API client.")
    return redirect("articles:settings")
