"""Processing a saved article: claim → fetch (unless the page is stored) → extract → sanitize → store.

Idempotent by construction (DESIGN.md §2.4): a conditional UPDATE claims the row, so a redelivered task
finds it claimed or finished and returns. Permanent failures end in ``failed`` with a reason a person
understands; transient ones put the row back to ``queued`` and raise FetchTemporaryError for the task
to retry.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .. import extraction, fetching, interstitials, sanitizing
from ..models import Article, ArticleSource
from ..search import search_config_for
from ..urlnorm import normalize_url

logger = logging.getLogger(__name__)

STOPPED_REASON = (
    "Processing this page was stopped several times before it finished (it took too long, or the worker "
    "was stopped), so Folio gave up."
)
BOOKMARKLET_HINT = " You can save it with the bookmarklet, which sends the page as your browser shows it."


class _InterstitialFound(Exception):
    def __init__(self, wall: interstitials.Interstitial):
        super().__init__(wall.reason)
        self.reason = wall.reason
        self.kind = wall.kind


def _extract_fetched_html(page: fetching.FetchedPage) -> extraction.Extraction:
    """Extract a page Folio fetched, refusing interstitials (bot checks, consent and login walls, pages
    with too little text): those raise _InterstitialFound and are never stored as the article."""
    try:
        result: extraction.Extraction | None = extraction.extract(page.text, page.url)
    except extraction.ExtractionError:
        result = None
    wall = interstitials.detect_page(page.text, result)
    if wall is not None:
        raise _InterstitialFound(wall)
    assert result is not None  # detect_page reports a missing extraction as too short
    return result


def _claim(article_id: int) -> bool:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.FOLIO_STALE_AFTER)
    claimable = Q(status__in=[Article.Status.QUEUED, Article.Status.FAILED]) | Q(
        status=Article.Status.FETCHING, claimed_at__lt=stale, attempts__lt=settings.FOLIO_MAX_ATTEMPTS
    )
    return bool(
        Article.objects.filter(pk=article_id, deleted_at__isnull=True)
        .filter(claimable)
        .update(status=Article.Status.FETCHING, attempts=F("attempts") + 1, claimed_at=now, failure_reason="")
    )


def article_mark_failed(*, article_id: int, reason: str) -> None:
    """Set the article ``failed`` with ``reason`` (shown to the person, who can retry)."""
    Article.objects.filter(pk=article_id).update(
        status=Article.Status.FAILED, failure_reason=reason, claimed_at=None, updated_at=timezone.now()
    )


def _requeue(article_id: int, reason: str) -> None:
    Article.objects.filter(pk=article_id).update(
        status=Article.Status.QUEUED,
        failure_reason=f"Will retry: {reason}",
        claimed_at=None,
        updated_at=timezone.now(),
    )


def _safe_key(url: str) -> str:
    try:
        return normalize_url(url) if url else ""
    except Exception:
        return ""


def article_process(*, article_id: int) -> str | None:
    """Process one article. Returns its final status, or None if another worker has it or it is done.

    Raises fetching.FetchTemporaryError (after putting the article back to ``queued``) when the fetch
    may succeed later; the task decides whether to retry.
    """
    if not _claim(article_id):
        return None
    article = Article.objects.get(pk=article_id)
    raw = ArticleSource.objects.filter(article=article).first()
    use_stored = article.source != Article.Source.FETCH and raw is not None and bool(raw.html)
    final_url = article.url
    try:
        if use_stored:
            result = extraction.extract(raw.html, article.url)
        else:
            page = fetching.fetch(article.url)
            final_url = page.url
            ArticleSource.objects.update_or_create(
                article=article,
                defaults={
                    "html": page.text if page.content_type in fetching.HTML_TYPES else "",
                    "content_type": page.content_type,
                    "http_status": page.status,
                    "redirects": [list(hop) for hop in page.redirects],
                    "fetched_at": timezone.now(),
                },
            )
            if page.content_type in fetching.PDF_TYPES:
                result = extraction.extract_pdf(page.body, page.url)
            elif page.content_type in fetching.TEXT_TYPES:
                result = extraction.extract_plain_text(page.text, page.url)
            else:
                result = _extract_fetched_html(page)
    except fetching.FetchHostBusyError:
        # Not an attempt: the site is busy with Folio's other fetches, not failing.
        Article.objects.filter(pk=article_id).update(attempts=F("attempts") - 1)
        _requeue(article_id, "waiting for other pages of this site to finish")
        raise
    except fetching.FetchError as exc:
        wall = interstitials.detect_error_page(exc.status, exc.page_text) if exc.status else None
        if wall is not None:
            article_mark_failed(article_id=article_id, reason=wall.reason + BOOKMARKLET_HINT)
            return Article.Status.FAILED
        if isinstance(exc, fetching.FetchTemporaryError):
            if article.attempts >= settings.FOLIO_MAX_ATTEMPTS:
                article_mark_failed(
                    article_id=article_id,
                    reason=f"{exc.reason} Folio tried {article.attempts} times." + BOOKMARKLET_HINT,
                )
                return Article.Status.FAILED
            _requeue(article_id, exc.reason)
            raise
        hint = BOOKMARKLET_HINT if not isinstance(exc, fetching.FetchRefusedError) else ""
        article_mark_failed(article_id=article_id, reason=exc.reason + hint)
        return Article.Status.FAILED
    except (extraction.ExtractionError, _InterstitialFound) as exc:
        article_mark_failed(article_id=article_id, reason=exc.reason + BOOKMARKLET_HINT)
        return Article.Status.FAILED

    base_url = final_url or article.url
    content_html = sanitizing.clean(result.html, base_url)
    article.final_url = final_url if final_url != article.url else ""
    article.final_key = _safe_key(article.final_url)
    article.canonical_url = result.canonical_url
    article.canonical_key = _safe_key(result.canonical_url)
    article.title = (result.title or article.title or article.url)[:500]
    article.author = result.author[:500]
    article.published = result.published
    article.site_name = result.site_name[:200]
    article.lead_image = result.lead_image if result.lead_image.startswith(("http://", "https://")) else ""
    article.excerpt = result.excerpt
    article.language = result.language
    article.text_direction = result.direction
    article.search_config = search_config_for(result.language)
    article.word_count = result.word_count
    article.reading_time_minutes = Article.reading_time_for(result.word_count)
    article.content_html = content_html
    article.content_text = result.text
    article.content_hash = hashlib.sha256(result.text.encode()).hexdigest()
    article.extraction_log = result.log
    article.status = Article.Status.READY
    article.failure_reason = ""
    article.fetched_at = timezone.now()
    article.claimed_at = None
    article.save(
        update_fields=[
            "final_url",
            "final_key",
            "canonical_url",
            "canonical_key",
            "title",
            "author",
            "published",
            "site_name",
            "lead_image",
            "excerpt",
            "language",
            "text_direction",
            "word_count",
            "reading_time_minutes",
            "search_config",
            "content_html",
            "content_text",
            "content_hash",
            "extraction_log",
            "status",
            "failure_reason",
            "fetched_at",
            "claimed_at",
            "updated_at",
        ]
    )
    return Article.Status.READY


def article_requeue_stale() -> int:
    """Queue again every article stuck in ``queued`` or ``fetching`` for over FOLIO_STALE_AFTER seconds.

    Covers a broker that was down at save time and a worker killed mid-article (SIGKILL, or Celery's hard
    time limit). An article whose processing was cut off FOLIO_MAX_ATTEMPTS times is set ``failed``
    instead, so that a page that always kills its worker cannot loop. Returns how many were sent.
    """
    from .saving import article_enqueue

    cutoff = timezone.now() - timedelta(seconds=settings.FOLIO_STALE_AFTER)
    Article.objects.filter(
        deleted_at__isnull=True,
        status=Article.Status.FETCHING,
        claimed_at__lt=cutoff,
        attempts__gte=settings.FOLIO_MAX_ATTEMPTS,
    ).update(
        status=Article.Status.FAILED,
        failure_reason=STOPPED_REASON + BOOKMARKLET_HINT,
        claimed_at=None,
        updated_at=timezone.now(),
    )
    import_cutoff = timezone.now() - timedelta(seconds=settings.FOLIO_IMPORT_STALE_AFTER)
    stuck = Article.objects.filter(deleted_at__isnull=True).filter(
        Q(status=Article.Status.QUEUED, updated_at__lt=cutoff)
        & (~Q(source=Article.Source.IMPORT) | Q(updated_at__lt=import_cutoff))
        | Q(status=Article.Status.FETCHING, claimed_at__lt=cutoff)
    )
    sent = 0
    for article_id, source in stuck.values_list("id", "source")[:1000]:
        Article.objects.filter(pk=article_id).update(updated_at=timezone.now())
        # Imported articles go back to the low-priority import queue, never ahead of a person's saves.
        queue = settings.FOLIO_IMPORT_QUEUE if source == Article.Source.IMPORT else None
        sent += article_enqueue(article_id, queue=queue)
    return sent
