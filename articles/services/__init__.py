"""Everything that writes: saving, processing, and library state changes. Views, the API, importers and
tasks call these; none of them writes articles directly."""

from .importing import import_create, import_progress, import_requeue_stale, import_retry_failed, import_run
from .library import article_retry, article_tags_set, tag_get_or_create_many
from .processing import article_mark_failed, article_process, article_requeue_stale
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
    "import_create",
    "import_progress",
    "import_requeue_stale",
    "import_retry_failed",
    "import_run",
    "tag_get_or_create_many",
]
