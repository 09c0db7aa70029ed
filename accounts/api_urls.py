"""API routes of the accounts app (under ``/api/``; documented in the one OpenAPI schema)."""

from django.urls import path

from . import api

urlpatterns = [
    path("shares/", api.ShareListCreateApi.as_view(), name="api-shares"),
    path("shares/revoke-all/", api.ShareRevokeAllApi.as_view(), name="api-shares-revoke-all"),
    path("shares/<int:pk>/", api.ShareDetailApi.as_view(), name="api-share"),
    path("account/", api.AccountApi.as_view(), name="api-account"),
    path("people/", api.PeopleListApi.as_view(), name="api-people"),
    path("people/<int:pk>/", api.PersonDetailApi.as_view(), name="api-person"),
    path("invitations/", api.InvitationCreateApi.as_view(), name="api-invitations"),
]
