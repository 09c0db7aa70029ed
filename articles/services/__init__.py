"""Everything that writes: saving, processing, and library state changes. Views, the API, importers and
tasks call these; none of them writes articles directly."""

from .importing import import_create, import_progress, import_requeue_stale, import_retry_failed, import_run
from .library import (
    article_archive_bulk,
    article_delete_bulk,
    article_favorite_bulk,
    article_progress_set,
    article_read_bulk,
    article_restore_bulk,
    article_retry,
    article_tag_bulk,
    article_tags_set,
    article_title_set,
    article_untag_bulk,
    reader_settings_update,
    tag_delete,
    tag_get_or_create_many,
    tag_merge,
    tag_rename,
)
from .processing import article_mark_failed, article_process, article_requeue_stale
from .saved_searches import saved_search_create, saved_search_delete
from .saving import article_enqueue, article_save_page, article_save_url

__all__ = [
    "article_archive_bulk",
    "article_delete_bulk",
    "article_enqueue",
    "article_favorite_bulk",
    "article_mark_failed",
    "article_process",
    "article_progress_set",
    "article_read_bulk",
    "article_requeue_stale",
    "article_restore_bulk",
    "article_retry",
    "article_save_page",
    "article_save_url",
    "article_tag_bulk",
    "article_tags_set",
    "article_title_set",
    "article_untag_bulk",
    "import_create",
    "import_progress",
    "import_requeue_stale",
    "import_retry_failed",
    "import_run",
    "reader_settings_update",
    "saved_search_create",
    "saved_search_delete",
    "tag_delete",
    "tag_get_or_create_many",
    "tag_merge",
    "tag_rename",
]
