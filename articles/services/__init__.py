"""Everything that writes: saving, processing, library state, tags, highlights, imports, the person's
settings. Every face (pages, Folio's API, the wallabag API, imports, feeds, e-mail, sync, the share target)
calls these; none of them writes a model itself. Tasks are put on the queue only by ``enqueue``.
"""

from .account import (
    api_token_create,
    api_token_revoke,
    reader_settings_get,
    reader_settings_update,
    saving_options_update,
)
from .apps import (
    app_password_create,
    app_password_revoke,
    feed_token_revoke,
    feed_token_rotate,
    oauth_client_create,
    oauth_client_revoke,
)
from .highlights import highlight_create, highlight_delete, highlight_update
from .importing import (
    import_can_restart,
    import_cancel,
    import_create,
    import_fetch_chunk,
    import_progress,
    import_requeue_stale,
    import_restart,
    import_retry_failed,
    import_run,
)
from .library import (
    FINISHED_PERCENT,
    article_archive_bulk,
    article_delete_bulk,
    article_favorite_bulk,
    article_read_bulk,
    article_restore_bulk,
    article_retry,
    article_tag_bulk,
    article_untag_bulk,
    article_update,
)
from .processing import article_mark_failed, article_process, article_requeue_stale, article_store_extraction
from .saved_searches import saved_search_create, saved_search_delete
from .saving import SaveManyResult, article_save_many, article_save_page, article_save_url
from .tags import article_tags_set, tag_delete, tag_get_or_create_many, tag_merge, tag_rename

__all__ = [
    "FINISHED_PERCENT",
    "SaveManyResult",
    "api_token_create",
    "api_token_revoke",
    "app_password_create",
    "app_password_revoke",
    "article_archive_bulk",
    "article_delete_bulk",
    "article_favorite_bulk",
    "article_mark_failed",
    "article_process",
    "article_read_bulk",
    "article_requeue_stale",
    "article_restore_bulk",
    "article_retry",
    "article_save_many",
    "article_save_page",
    "article_save_url",
    "article_store_extraction",
    "article_tag_bulk",
    "article_tags_set",
    "article_untag_bulk",
    "article_update",
    "feed_token_revoke",
    "feed_token_rotate",
    "highlight_create",
    "highlight_delete",
    "highlight_update",
    "import_can_restart",
    "import_cancel",
    "import_create",
    "import_fetch_chunk",
    "import_progress",
    "import_requeue_stale",
    "import_restart",
    "import_retry_failed",
    "import_run",
    "oauth_client_create",
    "oauth_client_revoke",
    "reader_settings_get",
    "reader_settings_update",
    "saved_search_create",
    "saved_search_delete",
    "saving_options_update",
    "tag_delete",
    "tag_get_or_create_many",
    "tag_merge",
    "tag_rename",
]
