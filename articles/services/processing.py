"""Processing a saved article: claim → fetch (unless the page is stored) → extract → sanitize → store.

Idempotent by construction (DESIGN.md §2.4): a conditional UPDATE claims the row, so a redelivered task
finds it claimed or finished and returns. Permanent failures end in ``failed`` with a reason a person
understands; transient ones put the row back to ``queued`` and raise ``errors.RetryLater`` for the task to
retry (fetch errors never leave this module).

``article_store_extraction`` is the one place a finished extraction becomes an article's content, for
processing and for imports that carry their content alike: it derives the search configuration, excerpt,
``content_hash``, word count and reading time, and applies the length limits.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Mapping
from datetime import date, timedelta

import lxml.etree
import lxml.html
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import extraction, fetching, heartbeat, interstitials, sanitizing
from ..errors import RetryLater
from ..extraction import Extraction, count_words
from ..extraction.text import RTL_LANGUAGES
from ..languages import search_config_for
from ..limits import (
    AUTHOR_MAX_LENGTH,
    LANGUAGE_MAX_LENGTH,
    SITE_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
)
from ..models import Article, ArticleSource
from ..urlnorm import normalize_url
from . import enqueue, highlights, media
from .events import ARTICLE_FAILED, ARTICLE_READY, emit, emit_many

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


def _follow_next_pages(
    first: extraction.Extraction, url: str, *, fetch_timeout: float | None
) -> extraction.Extraction:
    """Join the next pages of a multi-page article to ``first``, the extraction of the page at ``url``
    (bug-log A46).

    ``first.log["pagination"]["next"]`` (set by ``extraction.pages.pagination``: a ``rel=next`` link on the
    same site) is fetched through the one fetch client, extracted, and its body appended; then its own next
    page, up to FOLIO_ARTICLE_MAX_PAGES pages in all. It stops at a page already joined, and at a page that
    fails to fetch, is not HTML or holds no article: what was joined so far is kept and the log's warnings
    say "pages 1 to k of N" (the reader's details panel). Returns ``first``, updated: HTML and text joined,
    word count summed, ``log["pagination"]["joined"]`` the number of pages joined; the metadata stay the
    first page's. ``fetch_timeout`` (seconds) bounds each next page's download, as for the first."""
    pages = first.log.get("pagination") or {}
    next_url = pages.get("next") or ""
    seen = {url}
    html, text = [first.html], [first.text]
    failed = False
    while next_url and next_url not in seen and len(html) < settings.FOLIO_ARTICLE_MAX_PAGES:
        seen.add(next_url)
        try:
            page = fetching.fetch(next_url, total_timeout=fetch_timeout)
            if page.content_type not in fetching.HTML_TYPES:
                failed = True
                break
            more = extraction.extract(page.text, page.url)
        except (fetching.FetchError, extraction.ExtractionError) as exc:
            first.log.setdefault("warnings", []).append(
                f"next page not joined: {getattr(exc, 'reason', exc)}"
            )
            failed = True
            break
        html.append(more.html)
        text.append(more.text)
        next_url = (more.log.get("pagination") or {}).get("next") or ""
    if len(html) == 1:
        return first
    first.html, first.text = "".join(html), "\n\n".join(text)
    first.word_count = count_words(first.text)
    first.log["pagination"] = {**pages, "joined": len(html)}
    warnings = [w for w in first.log.get("warnings", []) if not w.startswith("page 1 of")]
    if failed or (next_url and next_url not in seen):  # stopped at a failing page or the page cap
        total = pages.get("pages") or 0  # the first page's count: a lower bound from its own links
        warnings.append(f"pages 1 to {len(html)} of {total if total > len(html) else 'several'}")
    first.log["warnings"] = warnings
    return first


#: ``failure_reason`` of a queued article whose message could not be sent (the broker was down): the sweep
#: sends it again at its next run, not after FOLIO_STALE_AFTER (issue 21.8).
UNSENT_REASON = "Waiting for Folio's queue, which was unavailable; it will be sent again shortly."


def article_enqueue_or_mark(article_id: int, *, queue: str | None = None) -> bool:
    """Send ``article_id``'s processing task; when the broker is down, mark the queued row UNSENT_REASON
    so that the next sweep (every FOLIO_REQUEUE_INTERVAL) sends it as soon as the broker is back."""
    if enqueue.article_process_enqueue(article_id, queue=queue):
        return True
    Article.objects.filter(pk=article_id, status=Article.Status.QUEUED).update(failure_reason=UNSENT_REASON)
    return False


def claimant_token(task_id: str = "") -> str:
    """Who is processing an article: ``host:pid:task`` of this process (stored in Article.claimed_by)."""
    return f"{socket.gethostname()}:{os.getpid()}:{task_id}"[:200]


def claimant_gone(token: str) -> bool:
    """True when the process named by ``token`` (see claimant_token) is provably dead: on this host, its
    process id no longer exists (a pool process killed by SIGKILL or the hard time limit, a worker that was
    restarted); on another host, its heartbeat key in Redis has expired (``articles.heartbeat``: every
    claiming process refreshes one). When that cannot be known (no Redis broker, Redis down or just
    restarted): False, and the stale rule (FOLIO_STALE_AFTER) applies."""
    host, _, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if not host or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if host != socket.gethostname():
        return heartbeat.alive(host, pid) is False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    try:  # a killed process not yet reaped by its parent is a zombie: gone all the same
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _claim(article_id: int, task_id: str = "") -> bool:
    """Take the article for processing (status ``fetching``). Claimable: ``queued`` or ``failed``; or
    ``fetching`` whose claimant is gone: at once when that process is provably dead (claimant_gone) or the
    claim is this same task's (``task_id``: a retry, or a redelivery after its worker died, resumes in
    seconds, issue 21.8), else after FOLIO_STALE_AFTER; either way while attempts remain. One conditional UPDATE each, so two workers never both claim."""
    heartbeat.ensure_beating()  # so that a worker on another host can tell if this process dies
    now = timezone.now()
    token = claimant_token(task_id)
    claim = {"status": Article.Status.FETCHING, "attempts": F("attempts") + 1, "claimed_at": now}
    stale = now - timedelta(seconds=settings.FOLIO_STALE_AFTER)
    claimable = Q(status__in=[Article.Status.QUEUED, Article.Status.FAILED]) | Q(
        status=Article.Status.FETCHING, claimed_at__lt=stale, attempts__lt=settings.FOLIO_MAX_ATTEMPTS
    )
    mine = Article.objects.filter(pk=article_id, deleted_at__isnull=True)
    if mine.filter(claimable).update(**claim, claimed_by=token, failure_reason=""):
        return True
    holder = (
        mine.filter(status=Article.Status.FETCHING, attempts__lt=settings.FOLIO_MAX_ATTEMPTS)
        .values_list("claimed_by", flat=True)
        .first()
    )
    # The same task's earlier run (a retry, or a redelivery after its worker died) is over: a task runs
    # again only once its previous run has ended.
    same_task = bool(task_id) and holder is not None and holder.rsplit(":", 1)[-1] == task_id
    if holder and (same_task or claimant_gone(holder)):
        logger.info("Article %s: its worker process (%s) is gone; taking it over", article_id, holder)
        return bool(
            mine.filter(status=Article.Status.FETCHING, claimed_by=holder).update(
                **claim, claimed_by=token, failure_reason=""
            )
        )
    return False


def article_mark_failed(*, article_id: int, reason: str) -> None:
    """Set the article ``failed`` with ``reason`` (shown to the person, who can retry). Emits
    ``article.failed`` when it was not failed already."""
    row = Article.objects.filter(pk=article_id).values_list("user_id", "status").first()
    Article.objects.filter(pk=article_id).update(
        status=Article.Status.FAILED, failure_reason=reason, claimed_at=None, updated_at=timezone.now()
    )
    if row is not None and row[1] != Article.Status.FAILED:
        emit(ARTICLE_FAILED, user_id=row[0], article_id=article_id)


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


def article_process(*, article_id: int, fetch_timeout: float | None = None, task_id: str = "") -> str | None:
    """Process one article. Returns its final status, or None if another worker has it or it is done.
    ``task_id`` (the queue message's id, optional) is recorded with the claim (see _claim).

    ``fetch_timeout`` (seconds; default FOLIO_FETCH_TOTAL_TIMEOUT) bounds the page's download and the time
    spent on its images: the save lane passes FOLIO_FETCH_FAST_TIMEOUT, and images left then are finished
    on the slow lane (services.media).

    Raises RetryLater (after putting the article back to ``queued``) when the fetch may succeed later (a
    timeout, 429, 5xx: ``backoff``; a site busy with Folio's other fetches: no backoff, and not counted as
    an attempt; a page that needed more than ``fetch_timeout``: ``slow``, for the slow lane at once); the
    task decides when and where to retry. Gives up (``failed``) after FOLIO_MAX_ATTEMPTS attempts.
    """
    if not _claim(article_id, task_id):
        return None
    article = Article.objects.get(pk=article_id)
    raw = ArticleSource.objects.filter(article=article).first()
    use_stored = article.source != Article.Source.FETCH and raw is not None and bool(raw.html)
    final_url = article.url
    try:
        if use_stored and raw is not None:
            result = extraction.extract(raw.html, article.url)
        else:
            page = fetching.fetch(article.url, total_timeout=fetch_timeout)
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
                result = _follow_next_pages(result, page.url, fetch_timeout=fetch_timeout)
    except fetching.FetchHostBusyError as exc:
        # Not an attempt: the site is busy with Folio's other fetches, not failing.
        Article.objects.filter(pk=article_id).update(attempts=F("attempts") - 1)
        _requeue(article_id, "waiting for other pages of this site to finish")
        raise RetryLater(exc.reason, exc.retry_after, backoff=False) from exc
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
            # A page cut off by the save lane's shorter deadline is slow, not failing: the slow lane at once.
            slow = isinstance(exc, fetching.FetchDeadlineError) and fetch_timeout is not None
            raise RetryLater(exc.reason, exc.retry_after, slow=slow) from exc
        hint = BOOKMARKLET_HINT if not isinstance(exc, fetching.FetchRefusedError) else ""
        article_mark_failed(article_id=article_id, reason=exc.reason + hint)
        return Article.Status.FAILED
    except (extraction.ExtractionError, _InterstitialFound) as exc:
        article_mark_failed(article_id=article_id, reason=exc.reason + BOOKMARKLET_HINT)
        return Article.Status.FAILED

    article_store_extraction(
        article=article,
        extraction=result,
        final_url=final_url,
        keep_images=True,
        images_seconds=fetch_timeout,
    )
    return Article.Status.READY


#: Characters of an excerpt made from the text when the page gives no description.
EXCERPT_LENGTH = 300
#: The columns article_store_extraction writes.
STORE_FIELDS = (
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
)


def excerpt_from_text(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """The first paragraph of ``text``, cut at a word boundary with "…" when longer than ``limit``."""
    first = text.strip().split("\n\n", 1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _http_url(url: str) -> str:
    url = (url or "").strip()
    return url if url.startswith(("http://", "https://")) and len(url) <= URL_MAX_LENGTH else ""


def _text_of(content_html: str) -> str:
    if not content_html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(content_html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    return extraction.html_to_text(root, captions=False)


def extraction_from_content(
    *, html: str, url: str, text: str = "", title: str = "", metadata: Mapping[str, object] | None = None
) -> Extraction:
    """An Extraction for article content a file or a client carried (imports): ``html`` as the body,
    ``text`` its plain text (derived from the sanitized HTML by article_store_extraction when empty), the
    metadata (``author``, ``published``, ``site_name``, ``lead_image``, ``excerpt``, ``language``,
    ``canonical_url``) as given. ``url`` is the article's address (kept in the log)."""
    md = metadata or {}

    def text_of(name: str) -> str:
        value = md.get(name)
        return value if isinstance(value, str) else ""

    published = md.get("published")
    return Extraction(
        html=html,
        text=text,
        title=title,
        author=text_of("author"),
        published=published if isinstance(published, date) else None,
        site_name=text_of("site_name"),
        lead_image=text_of("lead_image"),
        excerpt=text_of("excerpt"),
        language=text_of("language"),
        canonical_url=text_of("canonical_url"),
        # Content a file or a client carried has only its language to tell its script's direction.
        direction="rtl" if text_of("language").lower().split("-")[0] in RTL_LANGUAGES else "ltr",
        word_count=count_words(text) if text else 0,
        log={},
    )


def article_store_extraction(
    *,
    article: Article,
    extraction: Extraction,
    final_url: str = "",
    save: bool = True,
    keep_images: bool = False,
    images_seconds: float | None = None,
) -> Article:
    """Make ``extraction`` the content of ``article`` and set it ``ready``: the one place this happens, for
    processing and for imports that carry their content.

    - The body is sanitized (``sanitizing.clean``, links made absolute against ``final_url`` or the
      article's address); ``content_text`` is the extraction's text, or the sanitized body's text.
    - Derived here: ``search_config`` from the language (languages.search_config_for), the excerpt (the
      extraction's, or the first paragraph, EXCERPT_LENGTH characters), ``content_hash`` (SHA-256 of the
      text, hex), ``word_count`` and ``reading_time_minutes`` (Article.reading_time_for), the normalized
      ``final_key``/``canonical_key``.
    - Limits (articles.limits): title 500, author 500, site name 200, language 8 characters; a lead image
      or canonical address that is not http(s) or over 2048 characters is dropped.
    - Metadata in ``article.stated_fields`` (stated by the saving client, or a title the person edited) is
      never overwritten; with ``save`` the list is read again under a row lock just before writing, so an
      edit made while the page was being extracted is kept (issue 21 item 7).

    - With ``keep_images`` (processing), the article's images and lead image are downloaded and kept
      locally before the row is written (services.media.article_images_keep, at most ``images_seconds``;
      the images left then are finished on the slow lane); never fails the article.

    With ``save`` (processing) one UPDATE writes the STORE_FIELDS and ``article.ready`` is emitted (see
    services.events); without (imports' bulk_create) only the instance is filled, and the bulk door emits. Returns ``article``.
    """
    base_url = final_url or article.url
    content_html = sanitizing.clean(extraction.html, base_url)
    images = None
    if keep_images:
        # Network work, so before the row lock below. A lead image the saving client stated wins.
        lead = article.lead_image if "lead_image" in article.stated_fields else extraction.lead_image
        images = media.article_images_keep(
            article=article, content_html=content_html, lead_image=_http_url(lead), seconds=images_seconds
        )
        content_html = images.html
    text = extraction.text or _text_of(content_html)
    word_count = extraction.word_count or count_words(text)
    canonical_url = _http_url(extraction.canonical_url)
    with transaction.atomic():
        stated = set(article.stated_fields)
        if save:
            row = (
                Article.objects.select_for_update()
                .filter(pk=article.pk)
                .values_list("stated_fields", flat=True)
            )
            stated |= set(row.first() or [])
        metadata = {
            "title": (extraction.title or article.title or article.url)[:TITLE_MAX_LENGTH],
            "author": extraction.author[:AUTHOR_MAX_LENGTH],
            "published": extraction.published,
            "site_name": extraction.site_name[:SITE_NAME_MAX_LENGTH],
            "lead_image": _http_url(extraction.lead_image),
            "language": extraction.language[:LANGUAGE_MAX_LENGTH],
        }
        for name, value in metadata.items():
            if name not in stated:
                setattr(article, name, value)
        article.final_url = final_url if final_url and final_url != article.url else ""
        article.final_key = _safe_key(article.final_url)
        article.canonical_url = canonical_url
        article.canonical_key = _safe_key(canonical_url)
        article.excerpt = extraction.excerpt or excerpt_from_text(text)
        article.search_config = search_config_for(article.language)
        article.text_direction = extraction.direction
        article.word_count = word_count
        article.reading_time_minutes = Article.reading_time_for(word_count)
        article.content_html = content_html
        article.content_text = text
        article.content_hash = hashlib.sha256(text.encode()).hexdigest()
        article.extraction_log = extraction.log
        article.status = Article.Status.READY
        article.failure_reason = ""
        article.fetched_at = timezone.now()
        article.claimed_at = None
        if save:
            article.save(update_fields=[*(f for f in STORE_FIELDS if f not in stated), "updated_at"])
            # A refetch changes the text: place the highlights again, or flag those whose text is gone.
            highlights.highlights_reanchor(article=article)
            emit(ARTICLE_READY, user_id=article.user_id, article_id=article.pk)
    if images is not None and images.deferred:
        article_id = article.pk
        transaction.on_commit(lambda: enqueue.article_images_enqueue(article_id))
    return article


def article_requeue_stale() -> int:
    """Queue again every article stuck in ``queued`` or ``fetching`` for over FOLIO_STALE_AFTER seconds.

    Covers a broker that was down at save time and a worker killed mid-article (SIGKILL, or Celery's hard
    time limit); an article ``fetching`` whose worker process is provably dead (claimant_gone), or one whose
    message could not be sent (UNSENT_REASON), is sent at once. An article whose processing was cut off FOLIO_MAX_ATTEMPTS times is set ``failed``
    instead, so that a page that always kills its worker cannot loop. Returns how many were sent.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.FOLIO_STALE_AFTER)
    given_up = Article.objects.filter(
        deleted_at__isnull=True,
        status=Article.Status.FETCHING,
        claimed_at__lt=cutoff,
        attempts__gte=settings.FOLIO_MAX_ATTEMPTS,
    )
    failing = list(given_up.values_list("user_id", "id"))
    Article.objects.filter(id__in=[i for _, i in failing], status=Article.Status.FETCHING).update(
        status=Article.Status.FAILED,
        failure_reason=STOPPED_REASON + BOOKMARKLET_HINT,
        claimed_at=None,
        updated_at=timezone.now(),
    )
    for owner in {u for u, _ in failing}:
        emit_many(ARTICLE_FAILED, user_id=owner, article_ids=[i for u, i in failing if u == owner])
    import_cutoff = timezone.now() - timedelta(seconds=settings.FOLIO_IMPORT_STALE_AFTER)
    stuck = Article.objects.filter(deleted_at__isnull=True).filter(
        Q(status=Article.Status.QUEUED, updated_at__lt=cutoff)
        & (~Q(source=Article.Source.IMPORT) | Q(updated_at__lt=import_cutoff))
        | Q(status=Article.Status.FETCHING, claimed_at__lt=cutoff)
        | Q(status=Article.Status.QUEUED, failure_reason=UNSENT_REASON)  # never sent: at once
    )
    rows = list(stuck.values_list("id", "source")[:1000])
    # A claim whose worker process is provably dead is sent again at once, not after FOLIO_STALE_AFTER
    # (a whole worker killed: Redis would hand its message back only after the visibility timeout).
    rows += [
        (article_id, source)
        for article_id, source, holder in Article.objects.filter(
            deleted_at__isnull=True,
            status=Article.Status.FETCHING,
            claimed_at__gte=cutoff,
            attempts__lt=settings.FOLIO_MAX_ATTEMPTS,
        ).values_list("id", "source", "claimed_by")[:1000]
        if holder and claimant_gone(holder)
    ]
    sent = 0
    for article_id, source in rows:
        Article.objects.filter(pk=article_id).update(updated_at=timezone.now())
        # Imported articles go back to the low-priority import queue, never ahead of a person's saves.
        queue = settings.FOLIO_IMPORT_QUEUE if source == Article.Source.IMPORT else None
        sent += article_enqueue_or_mark(article_id, queue=queue)
    return sent
