"""Images kept locally: the worker downloads an article's images, keeps verified copies, and points the
article's HTML at them (issue 12, item 4).

For each ``<img>`` of the sanitized article (and its lead image): download through the one fetch client
(SSRF guard, every redirect re-checked, ``FOLIO_IMAGE_MAX_BYTES``, a deadline per image and one per
article), verify and re-encode with Pillow (``articles.imaging``: raster formats only, pixel cap, EXIF
orientation applied, metadata stripped, long side capped, WebP or JPEG), store under a name Folio makes
from the SHA-256 of the re-encoded bytes through Django's storage API (the ``images`` storage: the data
folder, or S3-compatible storage through django-storages), record an ArticleImage row per image, and
rewrite ``src`` to Folio's own URL. An image that cannot be kept never fails the article: it becomes a
visible link to the original (``imaging.MISSING_CLASS``).

Files are shared by every row with the same digest; ``images_prune`` deletes files no row names any more.
Articles saved before Folio kept images get theirs through an ImageJob (``services/media_jobs.py``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import fetching, imaging
from ..models import Article, ArticleImage

logger = logging.getLogger(__name__)

#: Media types an image download may be sent as; the bytes are verified by Pillow whatever the header says,
#: so the generic binary types of misconfigured servers are accepted here. SVG is not in the list.
FETCH_TYPES = {
    "image/jpeg",
    "image/pjpeg",
    "image/png",
    "image/apng",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "image/x-ms-bmp",
    "application/octet-stream",
    "binary/octet-stream",
}
#: What a browser sends for an <img> (Chromium 120), without SVG.
ACCEPT = "image/avif,image/webp,image/apng,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5"


def image_storage() -> Storage:
    """The storage holding kept images (``STORAGES["images"]``)."""
    return storages["images"]


def image_name(digest: str, extension: str) -> str:
    """Storage name of a kept image: ``<first two hex digits>/<sha256 hex>.<webp|jpg>``."""
    return f"{digest[:2]}/{digest}.{extension}"


def missing_text() -> str:
    """The visible text of the link left where an image could not be kept."""
    return _("Image not saved: open the original")


class _Late(str):
    """The reason of an image not downloaded because the article's time for images ran out."""


@dataclass(frozen=True)
class KeptImages:
    """What ``article_images_keep`` did: the rewritten ``html``, and whether some images ran out of time
    (``deferred``: the caller hands the article to the slow lane, ``enqueue.article_images_enqueue``, once it is stored)."""

    html: str
    deferred: bool = False


@dataclass(frozen=True)
class _Stored:
    digest: str
    content_type: str
    width: int
    height: int
    byte_size: int


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _store(data: bytes, digest: str, extension: str) -> None:
    storage = image_storage()
    name = image_name(digest, extension)
    if storage.exists(name):
        return  # content-addressed: the same name holds the same bytes
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        # Another worker stored the same image meanwhile and the storage picked a new name: keep one copy.
        storage.delete(saved)


def image_download(url: str, *, referer: str = "", deadline: float | None = None) -> _Stored | str:
    """Download, verify, re-encode and store one image. Returns what was stored, or the reason (a sentence
    for the person) why it was not. Never raises for a bad image, a bad server or a storage error.

    ``deadline`` is a ``time.monotonic()`` value after which no new download starts; one download lasts at
    most ``FOLIO_IMAGE_FETCH_TIMEOUT`` seconds and never past ``deadline``.
    """
    remaining = settings.FOLIO_IMAGE_FETCH_TIMEOUT
    if deadline is not None:
        remaining = min(remaining, deadline - time.monotonic())
    if remaining <= 0.05:
        return _Late(_("Folio ran out of time for this article's images."))
    try:
        page = fetching.fetch(
            url,
            accept_types=FETCH_TYPES,
            max_bytes=settings.FOLIO_IMAGE_MAX_BYTES,
            total_timeout=remaining,
            accept=ACCEPT,
            referer=referer,
        )
    except fetching.FetchTooLargeError:
        return _("The image is larger than Folio's limit of %(size)s.") % {
            "size": _size(settings.FOLIO_IMAGE_MAX_BYTES)
        }
    except fetching.FetchTemporaryError as exc:
        reason = (
            _("The image took more than %(seconds)g seconds to download.") % {"seconds": remaining}
            if isinstance(exc, fetching.FetchDeadlineError)
            else exc.reason
        )
        # Worth another try, with an image's whole time, when the article's time (the save lane's) cut
        # this one short: the slow lane takes it (enqueue.article_images_enqueue).
        return _Late(reason) if remaining < settings.FOLIO_IMAGE_FETCH_TIMEOUT else reason
    except fetching.FetchError as exc:
        return exc.reason
    try:
        kept = imaging.reencode(
            page.body,
            max_pixels=settings.FOLIO_IMAGE_MAX_PIXELS,
            max_side=settings.FOLIO_IMAGE_MAX_SIDE,
            output=settings.FOLIO_IMAGE_FORMAT,
            quality=settings.FOLIO_IMAGE_QUALITY,
        )
    except imaging.ImageRejected as exc:
        return exc.reason
    digest = hashlib.sha256(kept.data).hexdigest()
    try:
        _store(kept.data, digest, kept.extension)
    except Exception:
        logger.exception("Could not store image %s", url)
        return _("Folio could not store the image.")
    return _Stored(digest, kept.content_type, kept.width, kept.height, len(kept.data))


def _download_all(urls: list[str], referer: str, seconds: float) -> dict[str, _Stored | str]:
    """Download ``urls`` FOLIO_IMAGE_CONCURRENCY at a time within ``seconds``."""
    if not urls:
        return {}
    deadline = time.monotonic() + seconds
    results: dict[str, _Stored | str] = {}
    executor = ThreadPoolExecutor(
        max_workers=max(1, min(settings.FOLIO_IMAGE_CONCURRENCY, len(urls))), thread_name_prefix="folio-image"
    )
    try:
        futures = {
            executor.submit(image_download, url, referer=referer, deadline=deadline): url for url in urls
        }
        # Each download ends by its own deadline (never past ``deadline``); the margin covers re-encoding.
        done, _pending = wait(futures, timeout=seconds + 15)
        for future in done:
            url = futures[future]
            error = future.exception()
            if error is not None:
                logger.error("Image %s: %r", url, error)
                results[url] = _("Folio could not process the image.")
            else:
                results[url] = future.result()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    for url in urls:
        results.setdefault(url, _Late(_("Folio ran out of time for this article's images.")))
    return results


def _referer(article: Article) -> str:
    # What a browser sends by default (strict-origin-when-cross-origin): the page's origin only.
    from urllib.parse import urlsplit

    parts = urlsplit(article.final_url or article.url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") and parts.netloc else ""


def article_images_keep(
    *,
    article: Article,
    content_html: str,
    lead_image: str = "",
    retry_missing: bool = False,
    seconds: float | None = None,
) -> KeptImages:
    """Keep the images of ``article``; the result's ``html`` is ``content_html`` pointing at Folio's copies.

    ``content_html`` is the sanitized article HTML (``sanitizing.clean``); ``lead_image`` the lead image's
    absolute address (or ``""``). Images already stored for this article are reused without downloading;
    with ``retry_missing`` the placeholders of an earlier run are tried again. At most
    FOLIO_IMAGE_MAX_PER_ARTICLE images are kept (the lead image first); the rest become links to the
    original. Downloads stop after ``seconds`` (at most FOLIO_IMAGE_TOTAL_SECONDS, the default); the images
    left then become links too and the result says ``deferred``. The article's ArticleImage rows are
    replaced by this run's (one row per distinct address). Never raises for an image; database errors
    propagate.
    """
    budget = (
        settings.FOLIO_IMAGE_TOTAL_SECONDS
        if seconds is None
        else min(seconds, settings.FOLIO_IMAGE_TOTAL_SECONDS)
    )
    limit = max(0, settings.FOLIO_IMAGE_MAX_PER_ARTICLE)
    sources = imaging.image_sources(content_html, include_missing=retry_missing)
    lead = lead_image if lead_image.startswith(("http://", "https://")) and len(lead_image) <= 2048 else ""
    wanted = list(dict.fromkeys(([lead] if lead else []) + [u for u in sources if len(u) <= 2048]))[:limit]
    if not wanted:
        ArticleImage.objects.filter(article=article).delete()  # one query for the many pages without images
        return KeptImages(html=imaging.rewrite_images(content_html, {}, missing_text=missing_text()))
    existing = {row.source_url: row for row in ArticleImage.objects.filter(article=article)}
    reused = {
        url: existing[url]
        for url in wanted
        if url in existing and existing[url].status == ArticleImage.Status.STORED
    }
    downloads = _download_all([u for u in wanted if u not in reused], _referer(article), budget)
    rows = []
    for url in wanted:
        result = downloads.get(url)
        if url in reused:
            row = reused[url]
            row.is_lead = url == lead
        elif isinstance(result, _Stored):
            row = ArticleImage(
                status=ArticleImage.Status.STORED,
                digest=result.digest,
                content_type=result.content_type,
                width=result.width,
                height=result.height,
                byte_size=result.byte_size,
            )
        else:
            row = ArticleImage(status=ArticleImage.Status.FAILED, failure_reason=(result or "")[:500])
        row.article, row.user_id, row.source_url, row.is_lead = article, article.user_id, url, url == lead
        rows.append(row)
    with transaction.atomic():
        ArticleImage.objects.filter(article=article).exclude(source_url__in=wanted).delete()
        if rows:
            ArticleImage.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["article", "source_url"],
                update_fields=[
                    "is_lead",
                    "status",
                    "failure_reason",
                    "digest",
                    "content_type",
                    "width",
                    "height",
                    "byte_size",
                ],
            )
    outcome: dict[str, imaging.Kept | imaging.Missing] = {}
    for row in rows:
        if row.status == ArticleImage.Status.STORED:
            outcome[row.source_url] = imaging.Kept(row.url, row.width, row.height)
        else:
            outcome[row.source_url] = imaging.Missing(row.failure_reason)
    html = imaging.rewrite_images(content_html, outcome, missing_text=missing_text())
    return KeptImages(html=html, deferred=any(isinstance(r, _Late) for r in downloads.values()))


def article_images_refresh(*, article_id: int, retry_missing: bool = True) -> tuple[int, int]:
    """Keep the images of one ready article saved earlier (or try its missing ones again) and store the
    rewritten HTML. Returns ``(stored, failed)`` image counts for the article; ``(0, 0)`` when the article
    is gone, not ready, or changed by processing meanwhile (processing keeps images itself).
    """
    article = Article.objects.filter(pk=article_id, status=Article.Status.READY).first()
    if article is None:
        return 0, 0
    before = article.content_html
    after = article_images_keep(
        article=article, content_html=before, lead_image=article.lead_image, retry_missing=retry_missing
    ).html
    if after != before:
        # Conditional on the HTML read above: a refetch that finished meanwhile wins.
        updated = Article.objects.filter(pk=article_id, content_html=before).update(content_html=after)
        if not updated:
            return 0, 0
    rows = ArticleImage.objects.filter(article_id=article_id)
    stored = rows.filter(status=ArticleImage.Status.STORED).count()
    return stored, rows.count() - stored


def images_prune(*, older_than: float = 3600.0) -> int:
    """Delete stored image files that no ArticleImage row names and that are older than ``older_than``
    seconds (so that a file stored a moment ago, whose row is being written, is spared). Walks the whole
    storage. Returns how many files were deleted."""
    storage = image_storage()
    cutoff = timezone.now() - timedelta(seconds=older_than)
    deleted = 0
    try:
        shards, _files = storage.listdir("")
    except FileNotFoundError:
        return 0
    for shard in shards:
        _dirs, files = storage.listdir(shard)
        digests = {name.split(".", 1)[0]: name for name in files}
        known = set(ArticleImage.objects.filter(digest__in=list(digests)).values_list("digest", flat=True))
        for digest, name in digests.items():
            path = f"{shard}/{name}"
            if digest in known:
                continue
            try:
                if storage.get_modified_time(path) > cutoff:
                    continue
            except (NotImplementedError, OSError):
                pass
            storage.delete(path)
            deleted += 1
    return deleted


def article_images_stored(article_ids: Iterable[int]) -> dict[int, list[ArticleImage]]:
    """The stored images of ``article_ids`` (one query per 500 articles), by article id (for exports)."""
    rows: dict[int, list[ArticleImage]] = {}
    for row in ArticleImage.objects.filter(
        article_id__in=list(article_ids), status=ArticleImage.Status.STORED
    ):
        rows.setdefault(row.article_id, []).append(row)
    return rows


def image_read(image: ArticleImage) -> bytes:
    """The stored bytes of a kept image. Raises OSError (FileNotFoundError) if the file is gone."""
    with image_storage().open(image_name(image.digest, image.extension), "rb") as handle:
        return handle.read()
