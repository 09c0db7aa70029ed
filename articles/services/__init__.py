"""Everything that writes: saving, processing, and library state changes. Views, the API, importers and
tasks call these; none of them writes articles directly."""

from .library import article_retry, article_tags_set, tag_get_or_create_many
from .processing import article_mark_failed, article_process, article_requeue_stale
from .saved_searches import saved_search_create, saved_search_delete
from .saving import article_enqueue, article_save_page, article_save_url

__all__ = [
    "article_enqueue",
    "article_mark_failed",
    "article_process",
    "article_retry",
    "article_requeue_stale",
    "article_save_page",
    "article_save_url",
    "article_tags_set",
    "saved_search_create",
    "saved_search_delete",
    "tag_get_or_create_many",
]
