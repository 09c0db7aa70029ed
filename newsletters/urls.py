"""Routes of the newsletters app: settings-page actions, and the API under ``/api/newsletters/`` (in the one
OpenAPI schema)."""

from django.urls import path

from . import api, views

app_name = "newsletters"

urlpatterns = [
    path("settings/newsletters/address/", views.address_rotate_view, name="address_rotate"),
    path("settings/newsletters/mailbox/", views.mailbox_view, name="mailbox"),
    path("settings/newsletters/mailbox/delete/", views.mailbox_delete_view, name="mailbox_delete"),
    path("api/newsletters/address/", api.AddressApi.as_view(), name="api-address"),
    path("api/newsletters/address/rotate/", api.AddressRotateApi.as_view(), name="api-address-rotate"),
    path("api/newsletters/mailbox/", api.MailboxApi.as_view(), name="api-mailbox"),
]
