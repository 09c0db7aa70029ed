"""Save benchmark (issue 20, item 1): is a save as cheap at 100,000 articles as at 100?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/folio_savebench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
    .venv/bin/python bench/save_bench.py [--sizes 100,100000] [--saves 1000] [--clients 10]

For each library size N a database ``<name>_<N>`` is created if missing, migrated and filled once with N
ready articles by the benchmarks' one library builder (bench/library_builder.py: the rows production
writes), and its article tables are vacuumed and analyzed before each run (as autovacuum keeps them). Then
gunicorn is started on that database with the app preloaded (``--preload``, 2 sync workers,
as ``make run`` serves), and ``--clients`` threads, each with its own keep-alive connection, POST new
addresses to ``/api/articles/`` with a personal API token: the production save path (serializer,
``article_save_url`` with its one dedupe SELECT, the insert and its search trigger, the queue message).
Queue messages go to a throw-away queue that no worker reads (deleted at the end), so nothing is fetched.

Reported per size (stdout and ``bench/out/save.json``):

- latency p50/p95/p99 (ms, wall time seen by the client) and saves per second;
- app CPU per save: CPU seconds of the gunicorn master and its workers, read from /proc before and after
  the timed saves, divided by the saves;
- database CPU per save: CPU seconds of the PostgreSQL client backends connected to the bench database
  (the server is often shared with other databases; autovacuum workers are left out and the tables they
  vacuumed or analyzed during the saves are listed), read from /proc the same way; gunicorn keeps its
  connections for the whole run (CONN_MAX_AGE=3600), so that no backend leaves with its CPU time;
- the baseline, in the same run on the same database: a raw SQL ``INSERT`` of the same article row
  (copied from a row the API just wrote, with a new address), one statement per row through psycopg, with
  the database CPU per insert and its wall time; the ratio of the save's database CPU to it;
- the load average, since this 2-core machine is often shared.

At the end: app CPU and database CPU per save at the largest size divided by those at the smallest (the
target is a ratio of at most 1.2, with app CPU <= 8 ms and database CPU <= 2 ms per save). The bench's own
saves are deleted afterwards, so a rerun measures the same library.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from library_builder import (  # noqa: E402
    _proc_cpu,
    database_prepare,
    library_build,
    load_average,
)

BENCH_QUEUE = "folio-savebench-throwaway"
USERNAME = "savebench"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live children (gunicorn's master and workers), from /proc."""
    total = _proc_cpu(pid, children=True)
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    return total + sum(_proc_cpu(int(kid), children=False) for kid in kids)


def database_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL client backend connected to ``database`` (pid → seconds), from
    /proc: the bench's own database only, so other databases on a shared server do not count, and the
    connections serving the saves only: an autovacuum worker is not a save's cost (it was counted whole
    when it started during the run, which made database CPU per save look larger on a freshly built large
    library; autovacuum_during is reported beside)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'",
            [database],
        )
        pids = [row[0] for row in cursor.fetchall()]
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            seconds[pid] = _proc_cpu(pid, children=False)
    return seconds


def autovacuum_since(started) -> list[str]:
    """Tables of the bench database that autovacuum vacuumed or analyzed since ``started`` (a datetime)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, last_autovacuum > %s, last_autoanalyze > %s FROM pg_stat_user_tables"
            " WHERE last_autovacuum > %s OR last_autoanalyze > %s ORDER BY relname",
            [started] * 4,
        )
        return [
            f"{name} ({'vacuum' if vacuumed else ''}{'+' if vacuumed and analyzed else ''}"
            f"{'analyze' if analyzed else ''})"
            for name, vacuumed, analyzed in cursor.fetchall()
        ]


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def library_ready(n: int) -> tuple[object, str]:
    """The bench user with ``n`` articles (built once), and a fresh API token for it."""
    from django.contrib.auth import get_user_model

    from articles.models import Article
    from articles.services.account import api_token_create

    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    have = Article.objects.filter(user=user).count()
    if have < n:
        print(f"building {n - have} articles …", file=sys.stderr, flush=True)
        library_build(user=user, n=n - have, seed=20 + have, fast=n >= 10_000, defer_indexes=n >= 100_000)
    return user, api_token_create(user=user, name="save bench")[1]


def gunicorn_start(database_url: str, port: int) -> subprocess.Popen:
    """gunicorn with the app preloaded, on ``database_url``, its queue messages sent to BENCH_QUEUE."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        FOLIO_QUEUE=BENCH_QUEUE,
        FOLIO_SLOW_QUEUE=BENCH_QUEUE,
        FOLIO_API_WRITE_RATE="1000000/minute",
        FOLIO_SAVE_RATE_PER_MINUTE="0",
        LOG_LEVEL="WARNING",
        # Database CPU is read from the backends connected before and after the timed saves: a connection
        # closed on the way (CONN_MAX_AGE, 60 s by default, ran out during a slow run) took its CPU time
        # with it, and the reading came out far too low. Kept for the run; a reconnect a minute is no
        # part of a save's cost.
        CONN_MAX_AGE="3600",
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),  # the running virtualenv's
            "reader.wsgi",
            "--preload",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def save_load(port: int, token: str, *, saves: int, clients: int, tag: str) -> tuple[list[float], float]:
    """POST ``saves`` new addresses from ``clients`` threads; returns (latencies in ms, wall seconds)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(saves))
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            body = json.dumps({"url": f"https://savebench.example/{tag}/{i}?x={secrets.token_hex(4)}"})
            started = time.perf_counter()
            conn.request("POST", "/api/articles/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if response.status != 201:
                    failures.append(str(response.status))
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} saves did not answer 201: {failures[:5]}")
    return latencies, wall


def raw_insert_baseline(user, rows: int) -> dict:
    """Insert ``rows`` copies of the newest bench-saved article row with new addresses by plain SQL
    (psycopg, one INSERT per row, search trigger included); the CPU of its backend and the wall time per row."""
    from django.db import connection

    from articles.models import Article

    template = Article.objects.filter(user=user, url__startswith="https://savebench.example/").latest("id")
    columns = [
        f.column for f in Article._meta.concrete_fields if f.column != "id" and not f.column.endswith("_key")
    ]
    keys = [f.column for f in Article._meta.concrete_fields if f.column.endswith("_key")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM articles_article WHERE id = %s",
            [template.pk],
        )
        values = list(cursor.fetchone())
    url_index = columns.index("url")
    statement = (
        f"INSERT INTO articles_article ({', '.join(columns + keys)}) "
        f"VALUES ({', '.join(['%s'] * (len(columns) + len(keys)))})"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu0, wall0 = _proc_cpu(backend, children=False), time.perf_counter()
    with connection.cursor() as cursor:
        for i in range(rows):
            row = list(values)
            row[url_index] = f"https://savebench.example/raw/{i}/{secrets.token_hex(4)}"
            cursor.execute(statement, row + [row[url_index][8:]] * len(keys))
    wall, cpu = time.perf_counter() - wall0, _proc_cpu(backend, children=False) - cpu0
    return {"db_cpu_ms_per_row": cpu / rows * 1000, "wall_ms_per_row": wall / rows * 1000}


def measure(base_url: str, n: int, *, saves: int, clients: int) -> dict:
    """One library size: build (once), serve, warm up, time the saves, the baseline, clean up."""
    database_url = f"{base_url}_{n}"
    database_prepare(database_url)
    user, token = library_ready(n)
    from django.db import connection

    from articles.models import Article

    with connection.cursor() as cursor:
        # The tables as autovacuum keeps them in production: statistics current (a freshly built library
        # has none, and PostgreSQL then plans the duplicate check over all the user's rows) and the rows
        # an earlier run deleted vacuumed away (they slowed later runs).
        for table in ("articles_article", "articles_search_doc"):
            cursor.execute(f"VACUUM ANALYZE {table}")

    port = _free_port()
    server = gunicorn_start(database_url, port)
    try:
        save_load(port, token, saves=min(100, saves), clients=clients, tag="warmup")
        name = database_url.rpartition("/")[2]
        from django.utils import timezone

        started = timezone.now()
        app0, db0 = _tree_cpu(server.pid), database_cpu(name)
        latencies, wall = save_load(port, token, saves=saves, clients=clients, tag="timed")
        app_cpu, db_cpu = _tree_cpu(server.pid) - app0, _cpu_delta(db0, database_cpu(name))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    baseline = raw_insert_baseline(user, min(saves, 500))
    result = {
        "articles": n,
        "saves": saves,
        "clients": clients,
        "p50_ms": statistics.median(latencies),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "saves_per_s": saves / wall,
        "app_cpu_ms_per_save": app_cpu / saves * 1000,
        "db_cpu_ms_per_save": db_cpu / saves * 1000,
        "raw_insert": baseline,
        "db_cpu_ratio_to_raw_insert": (db_cpu / saves * 1000) / max(baseline["db_cpu_ms_per_row"], 1e-9),
        "autovacuum_during": autovacuum_since(started),
        "load_average": load_average(),
    }
    Article.objects.filter(user=user, url__startswith="https://savebench.example/").delete()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,100000")
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/folio_savebench")
    if not base_url.startswith("postgres"):
        sys.exit("save_bench measures PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    if args.one is not None:
        print(json.dumps(measure(base_url, args.one, saves=args.saves, clients=args.clients)))
        return
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        # Each size in its own process: Django binds its database once.
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--saves",
                str(args.saves),
                "--clients",
                str(args.clients),
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, DATABASE_URL=base_url),
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{n:>9} articles: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, {result['saves_per_s']:.0f} saves/s; "
            f"app CPU {result['app_cpu_ms_per_save']:.2f} ms/save, "
            f"db CPU {result['db_cpu_ms_per_save']:.2f} ms/save; "
            f"raw INSERT db CPU {result['raw_insert']['db_cpu_ms_per_row']:.2f} ms/row "
            f"(save/raw {result['db_cpu_ratio_to_raw_insert']:.1f}x), "
            f"wall {result['raw_insert']['wall_ms_per_row']:.2f} ms/row; load {result['load_average']}; "
            f"autovacuum during the saves: {', '.join(result['autovacuum_during']) or 'none'}",
            flush=True,
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"largest/smallest: app CPU {large['app_cpu_ms_per_save'] / small['app_cpu_ms_per_save']:.2f}x, "
            f"db CPU {large['db_cpu_ms_per_save'] / small['db_cpu_ms_per_save']:.2f}x (target <= 1.2)"
        )
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).delete(BENCH_QUEUE)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "save.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
