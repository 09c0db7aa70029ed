"""Saving articles: by URL (the worker fetches it) or with the page HTML the browser sent.

One write path for every interface (form, bookmarklet, API, import). The row is written as ``queued``
in a transaction and the processing task is enqueued on commit; a broker outage never loses the save,
because the sweeper (``article_requeue_stale``) queues rows the broker never got.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..errors import PageTooLargeError
from ..models import Article, ArticleSource
from ..urlnorm import normalize_url, validate_url
from .library import article_tags_set

logger = logging.getLogger(__name__)


def article_enqueue(article_id: int, *, queue: str | None = None) -> bool:
    """Send the processing task for ``article_id`` to the broker; False (logged) if the broker is down.

    ``queue`` defaults to CELERY_TASK_DEFAULT_QUEUE (read at call time).
    """
    from ..tasks import article_process_task

    try:
        article_process_task.apply_async((article_id,), queue=queue or settings.CELERY_TASK_DEFAULT_QUEUE)
    except Exception:  # broker down: the article stays queued and the sweeper queues it later
        logger.exception("Could not queue article %s; the periodic sweep will queue it", article_id)
        return False
    return True


def _find_existing(user: AbstractBaseUser, key: str) -> Article | None:
    return (
        Article.objects.filter(user=user, deleted_at__isnull=True)
        .filter(Q(url_key=key) | Q(final_key=key) | Q(canonical_key=key))
        .order_by("id")
        .first()
    )


@transaction.atomic
def article_save_url(
    *, user: AbstractBaseUser, url: str, tags: Iterable[str] = (), source: str = Article.Source.FETCH
) -> tuple[Article, bool]:
    """Save ``url`` for ``user`` and queue its processing. Returns ``(article, created)``.

    A URL already saved (matched on the normalized given, final or canonical URL) returns the existing
    article, moved to the top of Unread, with the new tags added; if that article had failed, saving it
    again queues it for another try. Raises InvalidURLError.
    """
    url = validate_url(url)
    key = normalize_url(url)
    article = _find_existing(user, key)
    created = False
    if article is None:
        article, created = Article.objects.get_or_create(
            user=user, url_key=key, defaults={"url": url, "source": source, "status": Article.Status.QUEUED}
        )
    # A failed article saved again by URL is tried again (a page sent by the browser is queued by
    # article_save_page itself).
    retry = not created and article.status == Article.Status.FAILED and source == Article.Source.FETCH
    if not created:
        updates = {"saved_at": timezone.now(), "read_at": None, "is_archived": False, "deleted_at": None}
        if retry:
            updates.update(status=Article.Status.QUEUED, failure_reason="", attempts=0)
        Article.objects.filter(pk=article.pk).update(**updates)
        for name, value in updates.items():
            setattr(article, name, value)
    article_tags_set(article=article, names=tags)
    if created or retry:
        article_id = article.pk
        transaction.on_commit(lambda: article_enqueue(article_id))
    return article, created


@transaction.atomic
def article_save_page(
    *, user: AbstractBaseUser, url: str, html: str, title: str = "", tags: Iterable[str] = ()
) -> tuple[Article, bool]:
    """Save the page the browser sent: ``html`` is stored and extracted without fetching ``url``.

    An existing article with the same URL gets the new HTML and is processed again. Raises
    InvalidURLError, or PageTooLargeError when ``html`` is over ``FOLIO_PAGE_MAX_BYTES`` (UTF-8 bytes).
    """
    limit = settings.FOLIO_PAGE_MAX_BYTES
    if len(html.encode("utf-8", errors="replace")) > limit:
        raise PageTooLargeError(
            f"The page is larger than the {limit // (1024 * 1024)} MB Folio accepts from the browser."
        )
    article, created = article_save_url(user=user, url=url, tags=tags, source=Article.Source.BROWSER)
    ArticleSource.objects.update_or_create(
        article=article,
        defaults={
            "html": html,
            "content_type": "text/html",
            "http_status": None,
            "fetched_at": timezone.now(),
        },
    )
    fields = {"source": Article.Source.BROWSER, "status": Article.Status.QUEUED, "failure_reason": ""}
    if title and not article.title:
        fields["title"] = title[:500]
    Article.objects.filter(pk=article.pk).update(**fields)
    for name, value in fields.items():
        setattr(article, name, value)
    if not created:
        article_id = article.pk
        transaction.on_commit(lambda: article_enqueue(article_id))
    return article, created
