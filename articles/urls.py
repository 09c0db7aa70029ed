"""Web routes of the articles app (names ``articles:<thing>``)."""

from django.urls import path

from .views import library, reader

app_name = "articles"

urlpatterns = [
    path("", library.library_view, name="library"),
    path("articles/<int:pk>/", reader.reader_view, name="reader"),
    path("articles/<int:pk>/row/", library.article_row_view, name="row"),
    path("articles/<int:pk>/retry/", library.article_retry_view, name="retry"),
]
