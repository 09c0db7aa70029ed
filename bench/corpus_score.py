#!/usr/bin/env python3
"""End-to-end corpus benchmark: all 181 scrapinghub-aeb pages saved through the API become ``ready``, and the
stored ``content_text`` is scored with the shared scorer beside plain trafilatura.extract in the same run.

Usage: python bench/corpus_score.py [--limit N] [--worst N]

Uses a scratch database: SQLite in a temporary FOLIO_DATA_DIR (default), or DATABASE_URL when set (point it
at a scratch database; the script migrates it and adds one user). The pages are served by a local HTTP
server (tests/pageserver.PageServer, ``/corpus/<id>.html``; FETCH_ALLOWED_NETWORKS=127.0.0.0/8), saved with
``POST /api/articles/`` (token auth, rest_framework's APIClient), then processed by
``services.article_process`` (the worker's function: fetch, extract, sanitize, store). Prints P/R/F1 and
pages per second for Folio (fetch + extract + store) and for plain trafilatura.extract on the same pages,
and the ratio; exits 1 if any page did not become ready.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup_django(data_dir: str) -> None:
    os.environ["FETCH_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    os.environ["FOLIO_API_WRITE_RATE"] = ""  # 181 saves in a few seconds: no per-person write limit here
    os.environ.setdefault("FOLIO_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "")
    os.environ.setdefault("REDIS_URL", "")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="an evenly spread sample of N pages")
    parser.add_argument("--worst", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="folio-bench-") as data_dir:
        setup_django(data_dir)
        return run(args)


def run(args) -> int:
    import trafilatura
    from corpus_common import corpus_pages, score
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from articles.models import Article
    from articles.services import article_process
    from articles.services.account import api_token_create
    from tests.pageserver import PageServer

    pages = corpus_pages(args.limit)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    _token, key = api_token_create(user=user, name="bench")
    client = APIClient(SERVER_NAME="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    server = PageServer()
    try:
        ids: dict[str, int] = {}
        for page_id, _url, _html in pages:
            response = client.post(
                "/api/articles/", {"url": server.url(f"/corpus/{page_id}.html")}, format="json"
            )
            if response.status_code not in (200, 201):
                print(f"save failed for {page_id}: {response.status_code} {response.content[:200]!r}")
                return 1
            ids[page_id] = response.json()["id"]
        from articles.extraction import detect_language

        detect_language("A few words of English text to load the language model once.")
        folio_time = plain_time = 0.0
        pages_plain: dict[str, str] = {}
        for page_id, _url, html in pages:
            start = time.perf_counter()
            article_process(article_id=ids[page_id])
            folio_time += time.perf_counter() - start
            start = time.perf_counter()
            pages_plain[page_id] = trafilatura.extract(html) or ""
            plain_time += time.perf_counter() - start
    finally:
        server.close()

    stored = {a.pk: a for a in Article.objects.filter(pk__in=ids.values())}
    not_ready = [
        (pid, stored[i].status, stored[i].failure_reason)
        for pid, i in ids.items()
        if stored[i].status != "ready"
    ]
    folio = score({pid: stored[i].content_text for pid, i in ids.items()}, worst=args.worst)
    plain = score(pages_plain)
    print(folio["summary"]["report"])
    print(f"pages: {len(pages)}  ready: {len(pages) - len(not_ready)}")
    for pid, status, reason in not_ready:
        print(f"  NOT READY {pid}: {status} {reason}")
    rows = [
        ("folio", folio["summary"], len(pages) / folio_time),
        ("trafilatura", plain["summary"], len(pages) / plain_time),
    ]
    print(f"{'':<12} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8}")
    for name, summary, speed in rows:
        print(
            f"{name:<12} {summary['precision']:6.4f} {summary['recall']:6.4f} {summary['f1']:6.4f}"
            f" {speed:8.1f}"
        )
    print(
        f"speed ratio folio (fetch+extract+store)/trafilatura (extract only): {rows[0][2] / rows[1][2]:.2f}"
    )
    return 1 if not_ready else 0


if __name__ == "__main__":
    sys.exit(main())
