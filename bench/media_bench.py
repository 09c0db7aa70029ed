"""Benchmark: images kept locally (issue 12). Store size per article and the worker's time on images per
article (median, p95; CPU beside wall), beside the same articles processed with images off, in one run.

Pages: real pages of the shared corpus (``../shared/corpus/scrapinghub-aeb``), served by a local HTTP server
in its own process. Their image addresses (``src``, lazy-loading attributes, ``srcset``, ``og:image``) are
pointed at that server, which answers each with a synthetic picture made for that address (all made
before the timed runs): a JPEG photo-like
field (smooth colour regions plus grain, at quality 85), a PNG drawing, a GIF or WebP by the address's
extension, an SVG for ``.svg`` (refused by Folio, as on the web), at the size the page declares
(``width``/``height``) or one of the common article sizes. So the number and choice of images is the real
pages'; the bytes are made here (no internet). The server process is outside the measured CPU.

Each article goes through production's path: ``services.article_save_url`` then ``services.article_process``
(fetch, extract, sanitize, keep images, store), in this process, one at a time. Run A has images off
(FOLIO_IMAGE_MAX_PER_ARTICLE=0: every image becomes a link); run B keeps them. "Images" is the time spent
inside ``services.media.article_images_keep`` (downloads run FOLIO_IMAGE_CONCURRENCY at a time; CPU counts
every thread of this process). The store is a fresh folder; its size per article counts each article's
distinct stored files.

Usage: python bench/media_bench.py [--pages 40] [--out bench/out/media.json]
(uses a throw-away SQLite database and image folder in a temporary directory; no broker, no worker).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "scrapinghub-aeb"
SIZES = [(1200, 800), (1600, 900), (800, 533), (2048, 1365), (640, 427), (1024, 576)]
_TAG = re.compile(r"<(?:img|source)\b[^>]*>|<meta\b[^>]*(?:og:image|twitter:image)[^>]*>", re.I)
_ABSOLUTE = re.compile(r"""(["'\s,=])(?:https?:)?//""")
_ATTRS = re.compile(
    r"""\b(src|data-src|data-lazy-src|data-original|data-lazy|data-url|data-hi-res-src|data-full-src|"""
    r"""data-orig-file|data-medium-file|content|srcset|data-srcset|data-lazy-srcset)\s*=\s*["']([^"']*)["']""",
    re.I,
)
_DIMENSION = re.compile(r"""\b(width|height)\s*=\s*["']?(\d+)""", re.I)


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def corpus_pages(count: int) -> list[tuple[str, str]]:
    """``[(page_id, html)]``: the first ``count`` corpus pages (by id) that hold at least one <img>."""
    pages = []
    for path in sorted((CORPUS / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        if "<img" in html.lower():
            pages.append((path.name.removesuffix(".html.gz"), html))
        if len(pages) == count:
            break
    return pages


def localize(html: str, base: str) -> str:
    """Point every absolute image address in the page's image tags at ``base/img/<host>/<path>``."""
    return _TAG.sub(lambda m: _ABSOLUTE.sub(lambda a: f"{a.group(1)}{base}/img/", m.group(0)), html)


def image_candidates(html: str, page_url: str) -> dict[str, tuple[int, int] | None]:
    """Every image address a page's tags name (resolved), with the size the tag declares if any."""
    found: dict[str, tuple[int, int] | None] = {}
    for tag in _TAG.findall(html):
        dims = {k.lower(): int(v) for k, v in _DIMENSION.findall(tag)}
        size = (dims["width"], dims["height"]) if {"width", "height"} <= set(dims) else None
        for name, value in _ATTRS.findall(tag):
            values = (
                [c.strip().split(" ")[0] for c in value.split(",")] if "srcset" in name.lower() else [value]
            )
            for raw in values:
                if raw and not raw.startswith("data:"):
                    found.setdefault(urljoin(page_url, raw.strip()), size)
    return found


def synthetic(path: str, size: tuple[int, int] | None) -> tuple[bytes, str]:
    """A picture for ``path``: (bytes, Content-Type); deterministic per path."""
    from PIL import Image, ImageDraw

    seed = int(hashlib.sha256(path.encode()).hexdigest()[:8], 16)
    width, height = size if size and min(size) >= 32 and max(size) <= 4000 else SIZES[seed % len(SIZES)]
    suffix = Path(urlsplit(path).path).suffix.lower()
    if suffix == ".svg":
        return b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "image/svg+xml"
    if suffix in (".png", ".gif"):
        image = Image.new("RGB", (width, height), (245, 245, 240))
        draw = ImageDraw.Draw(image)
        for i in range(12):
            x, y = (seed >> i) % width, (seed >> (i + 3)) % height
            draw.rectangle((x, y, x + width // 5, y + height // 7), fill=((seed * (i + 1)) % 255, 90, 160))
        out_bytes = io.BytesIO()
        image.save(out_bytes, "PNG" if suffix == ".png" else "GIF")
        return out_bytes.getvalue(), "image/png" if suffix == ".png" else "image/gif"
    # A photo-like field: upscaled colour noise (smooth regions) plus fine grain, as camera photos have.
    small = Image.effect_noise((max(2, width // 48), max(2, height // 48)), 80).convert("L")
    channels = [
        small.rotate(angle).resize((width, height), Image.Resampling.BICUBIC)
        for angle in (0, 90 * (seed % 3), 180)
    ]
    field = Image.merge("RGB", channels)
    grain = Image.effect_noise((width // 2, height // 2), 12).resize((width, height)).convert("RGB")
    photo = Image.blend(field, grain, 0.12)
    out_bytes = io.BytesIO()
    photo.save(out_bytes, "WEBP" if suffix == ".webp" else "JPEG", quality=85)
    return out_bytes.getvalue(), "image/webp" if suffix == ".webp" else "image/jpeg"


def serve(
    pages: dict[str, str], images: dict[str, tuple[int, int] | None], placeholder: str, ready, sizes
) -> None:
    """The page server process: pages at /bench/<id>.html (``placeholder`` replaced by the server's own
    address, known only once it listens) and a picture at each image path, made on first request and kept
    (in this process: its CPU is not the worker's). ``sizes`` (a shared dict) gets each picture's bytes."""
    import threading

    from tests.pageserver import PageServer, Route

    server = PageServer()
    for path, html in pages.items():
        server.add(path, html.replace(placeholder, server.base))
    made: dict[str, Route] = {}
    lock = threading.Lock()
    resolve = server.resolve

    def resolve_or_make(path: str):
        if path not in images:
            return resolve(path)
        with lock:
            if path not in made:
                body, content_type = synthetic(path, images[path])
                made[path] = Route(200, {"Content-Type": content_type}, body)
                sizes[path] = len(body)
            return made[path]

    server.resolve = resolve_or_make
    ready.put(server.base)
    while True:
        time.sleep(3600)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "media.json")
    args = parser.parse_args()

    # The page server's port is known only once it listens: pages name a placeholder host, which the server
    # process replaces with its own address.
    placeholder = "http://folio-bench.invalid"
    raw = corpus_pages(args.pages)
    pages, images = {}, {}
    for page_id, html in raw:
        local = localize(html, placeholder)
        path = f"/bench/{page_id}.html"
        pages[path] = local
        for url, size in image_candidates(local, placeholder + path).items():
            if url.startswith(placeholder + "/"):
                images[url.removeprefix(placeholder)] = size
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    manager = context.Manager()
    image_bytes = manager.dict()
    child = context.Process(target=serve, args=(pages, images, placeholder, ready, image_bytes), daemon=True)
    child.start()
    base = ready.get(timeout=600)

    tmp = Path(tempfile.mkdtemp(prefix="folio-media-bench-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        CELERY_BROKER_URL=f"filesystem://{tmp / 'broker'}",
        FOLIO_DATA_DIR=str(tmp),
        FETCH_ALLOWED_NETWORKS="127.0.0.0/8",
        DJANGO_SETTINGS_MODULE="reader.settings",
        FOLIO_FETCH_PER_HOST="0",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from articles import services
    from articles.models import ArticleImage
    from articles.services import media

    call_command("migrate", verbosity=0)
    # No broker in this benchmark: saving registers no task (the article is processed right here).
    services.saving.article_enqueue = lambda *a, **k: True

    timings: dict[int, tuple[float, float]] = {}
    real_keep = media.article_images_keep

    def timed_keep(*, article, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return real_keep(article=article, **kwargs)
        finally:
            timings[article.pk] = (time.perf_counter() - wall, time.process_time() - cpu)

    media.article_images_keep = timed_keep

    # Warm the server: every picture is made (in the server process) before any timed run asks for it.
    from concurrent.futures import ThreadPoolExecutor

    from articles import fetching

    def warm(path: str) -> None:
        with contextlib.suppress(fetching.FetchError):
            fetching.fetch(base + path, accept_types=media.FETCH_TYPES | {"image/svg+xml"}, max_bytes=10**8)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(warm, images))
    results = {}
    for run, limit in (("A: images off", 0), ("B: images kept", settings.FOLIO_IMAGE_MAX_PER_ARTICLE)):
        settings.FOLIO_IMAGE_MAX_PER_ARTICLE = limit
        settings.STORAGES = {
            **settings.STORAGES,
            "images": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp / f"images-{limit}")},
            },
        }
        from django.core.files.storage import storages

        storages._storages = {}
        user = get_user_model().objects.create_user(username=f"bench-{limit}")
        rows = []
        for path in pages:
            wall, cpu = time.perf_counter(), time.process_time()
            article, _ = services.article_save_url(user=user, url=base + path, origin="form")
            status = services.article_process(article_id=article.pk)
            total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
            images_wall, images_cpu = timings.get(article.pk, (0.0, 0.0))
            kept = ArticleImage.objects.filter(article=article)
            stored = {r.digest: r.byte_size for r in kept if r.status == "stored"}
            originals = sum(
                image_bytes.get(urlsplit(r.source_url).path, 0) for r in kept if r.status == "stored"
            )
            rows.append(
                {
                    "page": path,
                    "status": status,
                    "wall": total_wall,
                    "cpu": total_cpu,
                    "images_wall": images_wall,
                    "images_cpu": images_cpu,
                    "kept": len(stored),
                    "not_kept": kept.count() - len(stored),
                    "store_bytes": sum(stored.values()),
                    "original_bytes": originals,
                }
            )
        results[run] = rows
    child.kill()
    image_bytes = dict(image_bytes)
    manager.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)

    a, b = results["A: images off"], results["B: images kept"]
    summary = {
        "pages": len(pages),
        "synthetic_images_served": len(image_bytes),
        "ready_A": sum(r["status"] == "ready" for r in a),
        "ready_B": sum(r["status"] == "ready" for r in b),
    }

    def stats(rows, key):
        values = [r[key] for r in rows]
        return {
            "median": statistics.median(values),
            "p95": percentile(values, 0.95),
            "mean": statistics.fmean(values),
        }

    for key in ("wall", "cpu"):
        summary[f"processing_{key}_A"] = stats(a, key)
        summary[f"processing_{key}_B"] = stats(b, key)
    for key in ("images_wall", "images_cpu", "kept", "not_kept", "store_bytes", "original_bytes"):
        summary[key] = stats(b, key)
    summary["store_total_bytes"] = sum(r["store_bytes"] for r in b)
    summary["original_total_bytes"] = sum(r["original_bytes"] for r in b)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "runs": results}, indent=1))

    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    kb = lambda n: f"{n / 1024:.0f} KB"  # noqa: E731
    out(f"{len(pages)} corpus pages with images, {len(image_bytes)} synthetic images served locally")
    out(f"ready: A {summary['ready_A']}/{len(pages)}, B {summary['ready_B']}/{len(pages)}")
    out(f"{'per article':34} {'median':>10} {'p95':>10} {'mean':>10}")
    for label, key, fmt in (
        ("processing, images off (A), wall", "processing_wall_A", ms),
        ("processing, images off (A), CPU", "processing_cpu_A", ms),
        ("processing, images kept (B), wall", "processing_wall_B", ms),
        ("processing, images kept (B), CPU", "processing_cpu_B", ms),
        ("  of which images, wall", "images_wall", ms),
        ("  of which images, CPU", "images_cpu", ms),
        ("images kept", "kept", lambda v: f"{v:g}"),
        ("images not kept", "not_kept", lambda v: f"{v:g}"),
        ("image store size", "store_bytes", kb),
        ("original bytes of the kept images", "original_bytes", kb),
    ):
        s = summary[key]
        out(f"{label:34} {fmt(s['median']):>10} {fmt(s['p95']):>10} {fmt(s['mean']):>10}")
    ratio = summary["store_total_bytes"] / max(1, summary["original_total_bytes"])
    out(
        f"store / original bytes: {ratio:.2f}; processing wall B/A (median): "
        f"{summary['processing_wall_B']['median'] / max(1e-9, summary['processing_wall_A']['median']):.2f}"
    )
    out(f"written to {args.out}")


if __name__ == "__main__":
    main()
