"""Page routes of the ``compat`` app (names ``compat:<thing>``): the settings page's app sections."""

from django.urls import path

from . import feeds, views

app_name = "compat"

urlpatterns = [
    path("settings/apps/clients/", views.api_client_create_view, name="client_create"),
    path("settings/apps/clients/<int:pk>/revoke/", views.api_client_revoke_view, name="client_revoke"),
    path("settings/apps/feeds/", views.feed_token_view, name="feed_token"),
    path("feeds/<str:key>/<slug:view>.atom", feeds.view_feed, name="view_feed"),
    path("feeds/<str:key>/tags/<int:tag_id>.atom", feeds.tag_feed, name="tag_feed"),
    path("feeds/<str:key>/searches/<int:pk>.atom", feeds.search_feed, name="search_feed"),
]
