"""Web routes of the articles app (names ``articles:<thing>``)."""

from django.urls import path

from .views import account, bookmarklet, library, reader

app_name = "articles"

urlpatterns = [
    path("", library.library_view, name="library"),
    path("articles/<int:pk>/", reader.reader_view, name="reader"),
    path("articles/<int:pk>/row/", library.article_row_view, name="row"),
    path("articles/<int:pk>/retry/", library.article_retry_view, name="retry"),
    path("save/popup/", bookmarklet.save_popup_view, name="save_popup"),
    path("save/", bookmarklet.save_page_view, name="save_page"),
    path("save/<int:pk>/", bookmarklet.save_done_view, name="save_done"),
    path("settings/", account.settings_view, name="settings"),
    path("settings/saving/", account.settings_saving_view, name="settings_saving"),
    path("settings/tokens/", account.api_token_create_view, name="token_create"),
    path("settings/tokens/<int:pk>/revoke/", account.api_token_revoke_view, name="token_revoke"),
]
