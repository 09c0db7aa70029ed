"""Web routes of the articles app (names ``articles:<thing>``)."""

from django.urls import path

from .views import library, reader, search

app_name = "articles"

urlpatterns = [
    path("", library.library_view, name="library"),
    path("articles/<int:pk>/", reader.reader_view, name="reader"),
    path("articles/<int:pk>/row/", library.article_row_view, name="row"),
    path("articles/<int:pk>/retry/", library.article_retry_view, name="retry"),
    path("search/", search.search_view, name="search"),
    path("search/saved/", search.saved_searches_view, name="saved_searches"),
    path("search/saved/new/", search.saved_search_create_view, name="saved_search_create"),
    path("search/saved/<int:pk>/delete/", search.saved_search_delete_view, name="saved_search_delete"),
]
