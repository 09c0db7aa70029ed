"""wallabag's API routes, at wallabag's own paths (with or without its ``.json`` suffix, which wallabag's
Symfony routes take as ``{_format}`` and KOReader and the Android app send)."""

from django.urls import re_path

from . import oauth, views

J = r"(?:\.json)?$"  # wallabag's optional format suffix

urlpatterns = [
    re_path(r"^oauth/v2/token/?$", oauth.token_view, name="wallabag-token"),
    re_path(r"^api/version" + J, views.VersionApi.as_view(), name="wallabag-version"),
    re_path(r"^api/info" + J, views.InfoApi.as_view(), name="wallabag-info"),
    re_path(r"^api/user" + J, views.UserApi.as_view(), name="wallabag-user"),
    re_path(r"^api/entries" + J, views.EntriesApi.as_view(), name="wallabag-entries"),
    re_path(r"^api/entries/exists" + J, views.EntryExistsApi.as_view(), name="wallabag-entries-exists"),
    re_path(
        r"^api/entries/tags/list" + J, views.EntriesTagsListApi.as_view(), name="wallabag-entries-tags-list"
    ),
    re_path(r"^api/entries/(?P<pk>\d+)" + J, views.EntryApi.as_view(), name="wallabag-entry"),
    re_path(
        r"^api/entries/(?P<pk>\d+)/reload" + J, views.EntryReloadApi.as_view(), name="wallabag-entry-reload"
    ),
    re_path(
        r"^api/entries/(?P<pk>\d+)/export\.(?P<fmt>[a-z0-9]+)$",
        views.EntryExportApi.as_view(),
        name="wallabag-entry-export",
    ),
    re_path(r"^api/entries/(?P<pk>\d+)/tags" + J, views.EntryTagsApi.as_view(), name="wallabag-entry-tags"),
    re_path(
        r"^api/entries/(?P<pk>\d+)/tags/(?P<tag>\d+)" + J,
        views.EntryTagApi.as_view(),
        name="wallabag-entry-tag",
    ),
    re_path(r"^api/tags" + J, views.TagsApi.as_view(), name="wallabag-tags"),
    re_path(r"^api/tag/label" + J, views.TagLabelApi.as_view(), name="wallabag-tag-label"),
    re_path(r"^api/tags/label" + J, views.TagsLabelApi.as_view(), name="wallabag-tags-label"),
    re_path(r"^api/tags/(?P<pk>\d+)" + J, views.TagApi.as_view(), name="wallabag-tag"),
    re_path(r"^api/annotations/(?P<pk>\d+)" + J, views.AnnotationsApi.as_view(), name="wallabag-annotations"),
]
