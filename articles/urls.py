"""Web routes of the articles app (names ``articles:<thing>``)."""

from django.urls import path, re_path

from .views import (
    account,
    bookmarklet,
    exporting,
    highlights,
    imports,
    library,
    media,
    pwa,
    reader,
    search,
    share,
    tags,
)

app_name = "articles"

urlpatterns = [
    path("", library.library_view, name="library"),
    path("reading/", library.library_list_view, {"view": "continue"}, name="continue"),
    path("favorites/", library.library_list_view, {"view": "favorites"}, name="favorites"),
    path("archive/", library.library_list_view, {"view": "archive"}, name="archive"),
    path("all/", library.library_list_view, {"view": "all"}, name="all"),
    path("tags/", tags.tags_view, name="tags"),
    path("tags/<int:tag_id>/", library.tag_articles_view, name="tag"),
    path("tags/<int:pk>/rename/", tags.tag_rename_view, name="tag_rename"),
    path("tags/<int:pk>/merge/", tags.tag_merge_view, name="tag_merge"),
    path("tags/<int:pk>/delete/", tags.tag_delete_view, name="tag_delete"),
    path("sites/<path:site>/", library.site_articles_view, name="site"),
    path("articles/actions/", library.article_action_view, name="actions"),
    path("articles/<int:pk>/", reader.reader_view, name="reader"),
    path("articles/<int:pk>/row/", library.article_row_view, name="row"),
    path("articles/<int:pk>/retry/", library.article_retry_view, name="retry"),
    path("search/", search.search_view, name="search"),
    path("search/saved/", search.saved_searches_view, name="saved_searches"),
    path("search/saved/new/", search.saved_search_create_view, name="saved_search_create"),
    path("search/saved/<int:pk>/delete/", search.saved_search_delete_view, name="saved_search_delete"),
    path("articles/<int:pk>/progress/", reader.article_progress_view, name="progress"),
    path("articles/<int:pk>/title/", reader.article_title_view, name="title"),
    path("settings/reader/", account.reader_settings_view, name="reader_settings"),
    path("save/popup/", bookmarklet.save_popup_view, name="save_popup"),
    path("save/", bookmarklet.save_page_view, name="save_page"),
    path("save/<int:pk>/", bookmarklet.save_done_view, name="save_done"),
    path("settings/", account.settings_view, name="settings"),
    path("settings/saving/", account.settings_saving_view, name="settings_saving"),
    path("settings/tokens/", account.api_token_create_view, name="token_create"),
    path("settings/tokens/<int:pk>/revoke/", account.api_token_revoke_view, name="token_revoke"),
    path("articles/<int:pk>/highlights/", highlights.highlight_create_view, name="highlight_create"),
    path("highlights/<int:pk>/delete/", highlights.highlight_delete_view, name="highlight_delete"),
    path("imports/", imports.imports_view, name="imports"),
    path("imports/<int:pk>/progress/", imports.import_progress_view, name="import_progress"),
    path("imports/<int:pk>/retry/", imports.import_retry_view, name="import_retry"),
    path("imports/<int:pk>/cancel/", imports.import_cancel_view, name="import_cancel"),
    path("export/", exporting.export_view, name="export"),
    # Kept images (articles/services/media.py); the pattern matches imaging.LOCAL_PATH.
    re_path(r"^images/(?P<digest>[0-9a-f]{64})\.(?P<ext>webp|jpg)$", media.image_view, name="image"),
    path("images/jobs/<int:pk>/", media.image_job_view, name="image_job"),
    # The installable app, the share target and offline reading (issue 12; views/pwa.py, views/share.py).
    path("manifest.webmanifest", pwa.manifest_view, name="manifest"),
    path("sw.js", pwa.service_worker_view, name="service_worker"),
    path("share/", share.share_target_view, name="share"),
    path("share/confirm/", share.share_confirm_view, name="share_confirm"),
    path("offline/", pwa.offline_view, name="offline"),
    path("offline/list.json", pwa.offline_list_view, name="offline_list"),
]
