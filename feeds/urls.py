"""Feed pages under ``/feeds/`` and the feeds API under ``/api/feeds/``."""

from django.urls import path

from . import api, views

app_name = "feeds"

urlpatterns = [
    path("feeds/", views.feed_list, name="list"),
    path("feeds/opml/", views.opml_import, name="opml_import"),
    path("feeds/opml/export/", views.opml_export, name="opml_export"),
    path("feeds/<int:pk>/", views.feed_detail, name="detail"),
    path("feeds/<int:pk>/edit/", views.feed_edit, name="edit"),
    path("feeds/<int:pk>/pause/", views.feed_pause, name="pause"),
    path("feeds/<int:pk>/poll/", views.feed_poll, name="poll"),
    path("feeds/<int:pk>/delete/", views.feed_delete, name="delete"),
    path("api/feeds/", api.FeedListCreateApi.as_view(), name="api-feeds"),
    path("api/feeds/opml/", api.OpmlApi.as_view(), name="api-feeds-opml"),
    path("api/feeds/<int:pk>/", api.FeedDetailApi.as_view(), name="api-feed"),
    path("api/feeds/<int:pk>/poll/", api.FeedPollApi.as_view(), name="api-feed-poll"),
    path("api/feeds/<int:pk>/articles/", api.FeedArticlesApi.as_view(), name="api-feed-articles"),
]
