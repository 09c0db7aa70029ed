"""Benchmark: import a 20,000-line Pocket CSV with services.import_run (batched), against the baseline of
saving the same entries one by one through services.article_save_url (the single-save path), in one run.

Usage: DATABASE_URL=... CELERY_BROKER_URL=... python bench/import_bench.py [LINES] [BASELINE_LINES]
Writes into a throw-away user that is deleted at the end. Fetch tasks go to a throw-away queue that is
purged at the end (no worker needed).
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
os.environ.setdefault(
    "FOLIO_SAVE_RATE_PER_MINUTE", "0"
)  # the baseline saves one by one, past the per-minute limit

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from articles import services  # noqa: E402
from articles.models import Article  # noqa: E402


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def pocket_csv(lines: int, hosts: int = 300) -> bytes:
    rows = ["title,url,time_added,tags,status"]
    rows += [
        f"Article {i},https://site{i % hosts}.example/post/{i},{1600000000 + i},t{i % 20}|bulk,"
        f"{'archive' if i % 3 == 0 else 'unread'}"
        for i in range(lines)
    ]
    return ("\n".join(rows) + "\n").encode()


def purge(queue: str) -> None:
    from reader.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    baseline_lines = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    queue = f"folio-bench-{uuid.uuid4().hex[:6]}"
    settings.FOLIO_IMPORT_QUEUE = queue
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    user_model = get_user_model()
    user = user_model.objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}")
    try:
        data = pocket_csv(lines)
        t0 = time.perf_counter()
        c0 = time.process_time()
        job = services.import_create(user=user, data=data, filename="bench.csv", enqueue=False)
        marks = []
        job = services.import_run(import_id=job.pk, progress=lambda j: marks.append(time.perf_counter() - t0))
        batched = time.perf_counter() - t0
        batched_cpu = time.process_time() - c0
        assert job.created_count == lines, (job.created_count, job.failures[:3])
        first = marks[0] if marks else batched

        Article.objects.filter(user=user).delete()
        t0 = time.perf_counter()
        c0 = time.process_time()
        for i in range(baseline_lines):
            services.article_save_url(
                origin="form", user=user, url=f"https://site{i % 300}.example/post/{i}", tags=["bulk"]
            )
        single = time.perf_counter() - t0
        single_cpu = time.process_time() - c0
        per_batched = batched / lines * 1000
        per_single = single / baseline_lines * 1000
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        out(f"engine={engine} broker={settings.CELERY_BROKER_URL.split('://')[0]}")
        out(
            f"import_run, {lines} lines: {batched:.1f} s total, {per_batched:.2f} ms/entry, "
            f"first progress update after {first:.2f} s, {len(marks)} updates; "
            f"CPU of this process {batched_cpu:.1f} s"
        )
        out(
            f"baseline article_save_url, {baseline_lines} entries: {single:.1f} s, "
            f"{per_single:.2f} ms/entry; "
            f"CPU of this process {single_cpu:.1f} s"
        )
        out(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        out(f"ratio (baseline / batched per entry): {per_single / per_batched:.1f}x")
    finally:
        purge(queue)
        Article.objects.filter(user=user).delete()
        user.delete()


if __name__ == "__main__":
    main()
