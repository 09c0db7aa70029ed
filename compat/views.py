"""The settings page's "API clients" section (``templates/compat/_settings_api_clients.html``): the
person's wallabag API clients, a new one's secret shown once, revoking. Writes go through
``articles.services.apps``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model

from articles.limits import TOKEN_NAME_MAX_LENGTH
from articles.models import SavedSearch
from articles.queries import LIBRARY_VIEWS, tag_list
from articles.services import (
    app_password_create,
    app_password_revoke,
    feed_token_revoke,
    feed_token_rotate,
    oauth_client_create,
    oauth_client_revoke,
)

from .feeds import FEED_VIEWS, feed_url
from .models import AppPassword, FeedToken

#: Session key holding a just-created client's id and secret until the settings page has shown it once.
NEW_CLIENT_KEY = "folio_new_oauth_client"
#: Session key holding a just-created app password until the settings page has shown it once.
NEW_APP_PASSWORD_KEY = "folio_new_app_password"


def api_clients_context(request: HttpRequest) -> dict:
    """The apps sections' context: ``oauth_clients`` (the person's clients, newest first),
    ``new_oauth_client`` (name, id and secret of a client made a moment ago, then forgotten), and
    ``feeds`` (name and address of each feed, empty without a feed token), ``app_passwords`` and
    ``new_app_password`` (shown once)."""
    clients = get_application_model().objects.filter(user=request.user).order_by("-created", "-id")
    key = FeedToken.objects.filter(user=request.user).values_list("key", flat=True).first()
    feeds = []
    if key:
        feeds = [(LIBRARY_VIEWS[view][0], feed_url(request, key, view=view)) for view in FEED_VIEWS]
        feeds += [(f"Tag {t.name}", feed_url(request, key, tag_id=t.pk)) for t in tag_list(user=request.user)]
        feeds += [
            (f"Search {s.name}", feed_url(request, key, search_id=s.pk))
            for s in SavedSearch.objects.filter(user=request.user).order_by("name")
        ]
    return {
        "oauth_clients": list(clients.only("id", "name", "client_id", "created")),
        "new_oauth_client": request.session.pop(NEW_CLIENT_KEY, None),
        "folio_server_url": request.build_absolute_uri("/").rstrip("/"),
        "feeds": feeds,
        "app_passwords": list(AppPassword.objects.filter(user=request.user)),
        "new_app_password": request.session.pop(NEW_APP_PASSWORD_KEY, None),
    }


@login_required
@require_POST
def api_client_create_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/apps/clients/``: create a client; its secret is shown once on the settings page."""
    name = request.POST.get("name", "")
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        messages.error(
            request,
            gettext("A client's name has at most %(max)d characters.") % {"max": TOKEN_NAME_MAX_LENGTH},
        )
        return redirect("articles:settings")
    application, secret = oauth_client_create(user=request.user, name=name)
    request.session[NEW_CLIENT_KEY] = {
        "name": application.name,
        "client_id": application.client_id,
        "client_secret": secret,
    }
    messages.success(request, gettext("API client created. Copy its secret now: Folio cannot show it again."))
    return redirect("articles:settings")


@login_required
@require_POST
def api_client_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/settings/apps/clients/<id>/revoke/``: delete one of the person's clients and its tokens."""
    if oauth_client_revoke(user=request.user, pk=pk):
        messages.success(request, gettext("API client revoked: apps using it are signed out."))
    else:
        messages.error(request, gettext("There is no such API client."))
    return redirect("articles:settings")


@login_required
@require_POST
def feed_token_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/apps/feeds/``: ``action=rotate`` makes a new feed token (old feed addresses stop
    working), ``action=revoke`` removes it (every feed stops)."""
    if request.POST.get("action") == "revoke":
        feed_token_revoke(user=request.user)
        messages.success(request, gettext("Feeds turned off: their addresses no longer work."))
    else:
        feed_token_rotate(user=request.user)
        messages.success(request, gettext("New feed addresses made; the old ones no longer work."))
    return redirect("articles:settings")


@login_required
@require_POST
def app_password_create_view(request: HttpRequest) -> HttpResponse:
    """POST ``/settings/apps/passwords/``: a new app password for the OPDS catalog, shown once."""
    row, password = app_password_create(user=request.user, name=request.POST.get("name", ""))
    request.session[NEW_APP_PASSWORD_KEY] = {"name": row.name, "password": password}
    messages.success(request, gettext("App password created. Copy it now: Folio cannot show it again."))
    return redirect("articles:settings")


@login_required
@require_POST
def app_password_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``/settings/apps/passwords/<id>/revoke/``: delete one of the person's app passwords."""
    if app_password_revoke(user=request.user, pk=pk):
        messages.success(request, gettext("App password revoked."))
    else:
        messages.error(request, gettext("There is no such app password."))
    return redirect("articles:settings")
