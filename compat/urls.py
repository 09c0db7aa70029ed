"""Page routes of the ``compat`` app (names ``compat:<thing>``): the settings page's app sections."""

from django.urls import path, re_path

from . import feeds, opds, views

app_name = "compat"

urlpatterns = [
    path("settings/apps/clients/", views.api_client_create_view, name="client_create"),
    path("settings/apps/clients/<int:pk>/revoke/", views.api_client_revoke_view, name="client_revoke"),
    path("settings/apps/feeds/", views.feed_token_view, name="feed_token"),
    # HTTP Basic with an app password (before the token routes: "tags" is no token, but would match one).
    re_path(
        r"^feeds/images/(?P<digest>[0-9a-f]{64})\.(?P<ext>webp|jpg)$",
        feeds.feed_image,
        name="feed_image_basic",
    ),
    path("feeds/<slug:view>.atom", feeds.view_feed, name="view_feed_basic"),
    path("feeds/tags/<int:tag_id>.atom", feeds.tag_feed, name="tag_feed_basic"),
    path("feeds/searches/<int:pk>.atom", feeds.search_feed, name="search_feed_basic"),
    path("feeds/<str:key>/<slug:view>.atom", feeds.view_feed, name="view_feed"),
    re_path(
        r"^feeds/(?P<key>[^/]+)/images/(?P<digest>[0-9a-f]{64})\.(?P<ext>webp|jpg)$",
        feeds.feed_image,
        name="feed_image",
    ),
    path("feeds/<str:key>/tags/<int:tag_id>.atom", feeds.tag_feed, name="tag_feed"),
    path("feeds/<str:key>/searches/<int:pk>.atom", feeds.search_feed, name="search_feed"),
    path("settings/apps/passwords/", views.app_password_create_view, name="app_password_create"),
    path(
        "settings/apps/passwords/<int:pk>/revoke/", views.app_password_revoke_view, name="app_password_revoke"
    ),
    path("opds/", opds.root_view, name="opds_root"),
    path("opds/search.xml", opds.search_description_view, name="opds_search_description"),
    path("opds/search/", opds.search_view, name="opds_search"),
    path("opds/articles/<int:pk>.epub", opds.article_epub_view, name="opds_article_epub"),
    path("opds/tags/<int:pk>/", opds.tag_view, name="opds_tag"),
    path("opds/tags/<int:pk>/book.epub", opds.tag_book_view, name="opds_tag_book"),
    path("opds/searches/<int:pk>/", opds.saved_search_view, name="opds_saved_search"),
    path("opds/searches/<int:pk>/book.epub", opds.saved_search_book_view, name="opds_saved_search_book"),
    path("opds/<slug:view>/", opds.view_view, name="opds_view"),
    path("opds/<slug:view>/book.epub", opds.view_book_view, name="opds_view_book"),
]
