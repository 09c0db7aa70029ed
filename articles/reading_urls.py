"""Routes of the note on an article, the highlights library and the reading statistics (issue 17 items
3-5; names ``reading:<thing>``), included from reader.urls."""

from django.urls import path

from .views import reading

app_name = "reading"

urlpatterns = [
    path("articles/<int:pk>/note/", reading.article_note_view, name="note"),
    path("highlights/", reading.highlights_view, name="highlights"),
    path("highlights/export.zip", reading.highlights_export_view, {"fmt": "md"}, name="highlights_markdown"),
    path("highlights/export.csv", reading.highlights_export_view, {"fmt": "csv"}, name="highlights_csv"),
    path("stats/", reading.stats_view, name="stats"),
    path("stats/export.csv", reading.stats_export_view, name="stats_csv"),
]
