"""In-process profile of one API save (issue 20, item 1): ``POST /api/articles/`` with a personal token on
PostgreSQL through Django's test client, the view and everything under it, without gunicorn or threads.

    .venv/bin/python bench/save_profile.py --database-url postgres://postgres@127.0.0.1:5432/folio_saveprof \\
        [--saves 300] [--profile]

Prints the queries of one save of a new address (the count and each statement's start), then the CPU time
per save of this process (``time.process_time``: the request, the view, the ORM, the queue message; the
database server's CPU is not in it) and the wall time, over ``--saves`` saves after 30 warm-ups, with the
load average. With ``--profile``, a cProfile of as many more saves, timed by CPU time, sorted by cumulative
and by own time. Queue messages go to a throw-away queue (purged at the end) through Redis
(``CELERY_BROKER_URL``, default redis://127.0.0.1:6379/14, as the bench); the save-rate check is off (as in
bench/save_bench.py, which measures the same path under gunicorn with 10 clients). The saves are deleted at
the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    for name, value in {
        "FOLIO_QUEUE": "folio-saveprofile-throwaway",
        "FOLIO_SLOW_QUEUE": "folio-saveprofile-throwaway",
        "FOLIO_API_WRITE_RATE": "1000000/minute",
        "FOLIO_SAVE_RATE_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
        # The queue message through Redis, as bench/save_bench.py and production send it (without a broker
        # URL Folio falls back to kombu's filesystem transport, whose cost is another one).
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
    }.items():
        os.environ.setdefault(name, value)
    from library_builder import _proc_cpu, database_prepare

    database_prepare(args.database_url)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from articles.services.account import api_token_create

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user, _ = get_user_model().objects.get_or_create(username="saveprofile")
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='save profile')[1]}")

    def save(kind: str, i: int) -> None:
        body = json.dumps({"url": f"https://saveprofile.example/{kind}/{i}?x={secrets.token_hex(4)}"})
        response = client.post("/api/articles/", data=body, content_type="application/json")
        assert response.status_code == 201, (response.status_code, response.content[:300])

    try:
        for i in range(30):
            save("warm", i)
        with CaptureQueriesContext(connection) as ctx:
            save("queries", 0)
        print(f"queries per save of a new address: {len(ctx.captured_queries)}")
        for query in ctx.captured_queries:
            print("   ", query["sql"][:110])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        cpu0, wall0, db0 = time.process_time(), time.perf_counter(), _proc_cpu(backend, children=False)
        for i in range(args.saves):
            save("timed", i)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        db = _proc_cpu(backend, children=False) - db0
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            f"{args.saves} saves: CPU {cpu / args.saves * 1000:.2f} ms/save, wall {wall / args.saves * 1000:.2f} "
            f"ms/save, database CPU {db / args.saves * 1000:.2f} ms/save (this process's backend); "
            f"load average {' '.join(load)} on {os.cpu_count()} CPUs"
        )
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for i in range(args.saves):
                save("profiled", i)
            profile.disable()
            text = io.StringIO()
            stats = pstats.Stats(profile, stream=text)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
            print(text.getvalue())
    finally:
        Article.objects.filter(user=user, url__startswith="https://saveprofile.example/").delete()
        from celery import current_app

        with current_app.connection_for_write() as broker:
            broker.default_channel.queue_purge(os.environ["FOLIO_QUEUE"])


if __name__ == "__main__":
    main()
