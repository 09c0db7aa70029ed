"""Web routes of the articles app (names ``articles:<thing>``)."""

from django.urls import path

from .views import exporting, highlights, imports, library, reader

app_name = "articles"

urlpatterns = [
    path("", library.library_view, name="library"),
    path("articles/<int:pk>/", reader.reader_view, name="reader"),
    path("articles/<int:pk>/row/", library.article_row_view, name="row"),
    path("articles/<int:pk>/retry/", library.article_retry_view, name="retry"),
    path("articles/<int:pk>/highlights/", highlights.highlight_create_view, name="highlight_create"),
    path("highlights/<int:pk>/delete/", highlights.highlight_delete_view, name="highlight_delete"),
    path("imports/", imports.imports_view, name="imports"),
    path("imports/<int:pk>/progress/", imports.import_progress_view, name="import_progress"),
    path("imports/<int:pk>/retry/", imports.import_retry_view, name="import_retry"),
    path("export/", exporting.export_view, name="export"),
]
