"""Page routes of the ``compat`` app (names ``compat:<thing>``): the settings page's app sections."""

from django.urls import path

from . import views

app_name = "compat"

urlpatterns = [
    path("settings/apps/clients/", views.api_client_create_view, name="client_create"),
    path("settings/apps/clients/<int:pk>/revoke/", views.api_client_revoke_view, name="client_revoke"),
]
