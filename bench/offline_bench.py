"""Benchmark: offline reading in the installed app (issue 12). How long a kept article takes to open with no
network (from the service worker's cache), beside the same article opened online, and the disk the cache
uses per kept article.

Folio runs in this process (Django's threaded development server over a throw-away SQLite database and
image folder); Debian's Chromium (Playwright, a profile on disk) logs in, lets the service worker fetch the
offline list ahead of time, then opens every kept reader online and again offline. Articles: ``--articles``
synthetic pages from a local page server (distinct paragraphs, ~1,900 words, a ~1200x800 photo and a
~640x480 PNG drawing each, distinct per article), saved and processed through production's path (``services.article_save_url`` then
``services.article_process``, images kept).

Times come from the Navigation Timing entry of each page: "document" is the reader HTML's responseEnd
(request to last byte, here answered by the service worker), "load" is loadEventEnd (with CSS, JS and the
images in view). Disk: the Cache API's bytes (sum of the cached bodies, by kind), ``navigator.storage
.estimate()`` and the size of the profile's CacheStorage folder, each divided by the number of kept
articles.

Usage: python bench/offline_bench.py [--articles 20] [--out bench/out/offline.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAV_TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {document: n.responseEnd - n.startTime, load: n.loadEventEnd - n.startTime}; }"""
CACHE_BYTES = """async () => { const out = {};
  for (const name of await caches.keys()) { let total = 0, count = 0; const cache = await caches.open(name);
    for (const key of await cache.keys()) { const r = await cache.match(key, {ignoreVary: true});
      total += (await r.blob()).size; count += 1; }
    out[name] = {bytes: total, entries: count}; }
  const estimate = await navigator.storage.estimate(); out.estimate = estimate.usage; return out; }"""


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def article_page(n: int, photo: str, drawing: str) -> str:
    paragraphs = [
        f"<p>Part {n}.{i}: "
        + " ".join(f"Sentence {j} of the {i}th paragraph of article {n} about harbours." for j in range(14))
        + "</p>"
        for i in range(12)
    ]
    return (
        f"<html><head><title>Harbour notes {n}</title></head><body><article><h1>Harbour notes {n}</h1>"
        f'{"".join(paragraphs[:3])}<p><img src="{photo}" alt="Photo"></p>{"".join(paragraphs[3:7])}'
        f'<p><img src="{drawing}" alt="Map"></p>{"".join(paragraphs[7:])}</article></body></html>'
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 0.95), 1)}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "offline.json")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="folio-offline-bench-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        CELERY_BROKER_URL=f"filesystem://{tmp / 'broker'}",
        FOLIO_DATA_DIR=str(tmp),
        FETCH_ALLOWED_NETWORKS="127.0.0.0/8",
        DJANGO_SETTINGS_MODULE="reader.settings",
        FOLIO_FETCH_PER_HOST="0",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        FOLIO_STATIC_FINDERS="true",  # static files from the app folders (no collectstatic)
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from playwright.sync_api import sync_playwright

    from articles import services
    from articles.models import ArticleImage
    from tests import imagefiles
    from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH
    from tests.pageserver import PageServer

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    pages = PageServer()
    ids = []
    for n in range(args.articles):
        photo = pages.add(
            f"/o/{n}.jpg", imagefiles.photo(1200 + n, 800), headers={"Content-Type": "image/jpeg"}
        )
        drawing = pages.add(
            f"/o/{n}.png", imagefiles.drawing(640 + n, 480), headers={"Content-Type": "image/png"}
        )
        url = pages.add(f"/o/{n}.html", article_page(n, photo, drawing))
        article, _ = services.article_save_url(user=user, url=url, origin="form")
        assert services.article_process(article_id=article.pk) == "ready"
        ids.append(article.pk)
    stored = ArticleImage.objects.filter(article_id__in=ids, status="stored").count()
    failures = sorted(
        set(
            ArticleImage.objects.filter(article_id__in=ids)
            .exclude(status="stored")
            .values_list("failure_reason", flat=True)
        )
    )

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    httpd = ThreadedWSGIServer(("localhost", 0), Quiet)
    httpd.set_app(get_wsgi_application())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://localhost:{httpd.server_address[1]}"

    result: dict = {"articles": args.articles, "images_stored": stored, "image_failures": failures}
    profile = tmp / "profile"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS
        )
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", "bench")
        page.fill("#id_password", "bench-password-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now controlled: the worker fetches the offline list ahead of time
        counts = "() => caches.open('folio-articles-v1').then(c => c.keys()).then(k => k.length)"
        for _ in range(600):
            if page.evaluate(counts) >= args.articles:
                break
            page.wait_for_timeout(200)
        sizes = page.evaluate(CACHE_BYTES)
        timings: dict[str, dict[str, list[float]]] = {}
        for mode in ("online", "offline"):
            context.set_offline(mode == "offline")
            timings[mode] = {"document": [], "load": []}
            for pk in ids:
                page.goto(f"{base}/articles/{pk}/")
                nav = page.evaluate(NAV_TIMING)
                timings[mode]["document"].append(nav["document"])
                timings[mode]["load"].append(nav["load"])
        context.close()
    cache_folder = next(profile.rglob("CacheStorage"), None)
    n = args.articles
    result["times"] = {mode: {k: summary(v) for k, v in t.items()} for mode, t in timings.items()}
    per_kind = {name: value for name, value in sizes.items() if name != "estimate"}
    result["cache_api"] = per_kind
    result["per_article_bytes"] = {
        "reader_html": round(per_kind.get("folio-articles-v1", {}).get("bytes", 0) / n),
        "images": round(per_kind.get("folio-images-v1", {}).get("bytes", 0) / n),
        "storage_estimate": round(sizes["estimate"] / n),
        "cachestorage_folder": round(folder_bytes(cache_folder) / n) if cache_folder else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    out(json.dumps(result, indent=2))
    httpd.shutdown()
    pages.close()


if __name__ == "__main__":
    main()
