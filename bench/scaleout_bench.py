"""Benchmark: scale-out (issue 20, item 5). N Celery workers (N = 1, 2, 4 by default), each a process group of
its own, against one Redis and one PostgreSQL, process the same local pages; reports articles/s in all and
per worker, CPU time per article (workers and database), the most database connections seen, and whether any
article was processed twice.

For each N: a new person saves ``--pages`` local pages through production's bulk door
(``services.article_save_many``, origin ``import``, nothing queued yet); N workers are started (the worker
command of ``make worker``: ``celery -A reader worker``, one process each with ``--concurrency 1`` unless
``--concurrency`` says otherwise, each in its own session/process group); once all are ready, one
``article_process`` task per article is sent (``services.enqueue``) and the clock runs until every article
is ready or failed.

The pages are the shared corpus's 181 pages, each served under many addresses (``?copy=<n>``) by
``--sites`` local page servers on loopback ports, so that Folio's per-host limit (FOLIO_FETCH_PER_HOST,
set to the worker count here) does not make one host the bottleneck. Images are not downloaded
(FOLIO_IMAGE_MAX_PER_ARTICLE=0: the corpus's images live on the internet).

"Processed twice" is read from the rows: ``attempts`` counts the claims of an article (the claim is an
atomic UPDATE in ``processing._claim``), so every ready article has ``attempts == 1`` unless two workers
(or a redelivery) processed it. Connections are sampled from ``pg_stat_activity`` every 0.2 s, and the
connections opened are counted by PostgreSQL (``pg_stat_database.sessions``). Database CPU is read from
/proc for each backend seen while it lives: a backend that opens and closes between two samples is missed,
so with CELERY_DB_REUSE_MAX=0 (a connection per task) that figure is an undercount.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/folio_scaleout .venv/bin/python bench/scaleout_bench.py
    ... --workers 1,2,4 --pages 2000

Prints one table row per N and writes JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _children(pid: int) -> set[int]:
    """``pid`` and every process below it (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(parents.get(current, []))
    return found


def _cpu_seconds(pids: set[int]) -> float:
    """User + system CPU seconds of ``pids`` (children already reaped are counted in cutime/cstime)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS


def _sessions(cursor, database: str) -> int:
    """Connections ever opened to ``database`` (pg_stat_database.sessions, PostgreSQL 14+)."""
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [database])
    return cursor.fetchone()[0]


def _backend_pids(cursor, database: str) -> set[int]:
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
    return {row[0] for row in cursor.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="Worker counts to run, comma-separated.")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1, help="Processes per worker (celery -c).")
    parser.add_argument("--sites", type=int, default=8, help="Local page servers (one host:port each).")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--out", type=Path, default=HERE / "bench" / "out" / "scaleout.json")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (created if missing).")
    counts = [int(n) for n in args.workers.split(",")]
    tag = uuid.uuid4().hex[:6]
    tmp = Path(tempfile.mkdtemp(prefix="folio-scaleout-"))
    queue = f"folio-scaleout-{tag}"
    env = {
        "CELERY_BROKER_URL": args.broker,
        "FOLIO_DATA_DIR": str(tmp),
        "FOLIO_REDIS_PREFIX": f"folio-scaleout-{tag}",
        "FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FOLIO_IMAGE_MAX_PER_ARTICLE": "0",
        "FOLIO_FETCH_PER_HOST": str(max(counts) * args.concurrency),
        "FOLIO_QUEUE": queue,
        "FOLIO_IMPORT_QUEUE": queue,
        "FOLIO_SLOW_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "reader.settings",
    }
    os.environ.update(env)
    os.chdir(HERE)
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from articles import services
    from articles.importers import ImportItem
    from articles.models import Article
    from articles.services import enqueue
    from tests.pageserver import CORPUS_DIR, PageServer

    call_command("ensure_database", verbosity=0)
    call_command("migrate", verbosity=0)
    database = connection.settings_dict["NAME"]
    corpus = sorted(p.name.removesuffix(".html.gz") for p in (CORPUS_DIR / "html").glob("*.html.gz"))
    sites = [PageServer() for _ in range(args.sites)]
    python = str(HERE / ".venv" / "bin" / "python") if (HERE / ".venv").exists() else sys.executable
    results = []
    load_before = os.getloadavg()
    try:
        for n in counts:
            user = get_user_model().objects.create_user(username=f"scaleout-{tag}-{n}")
            entries = [
                ImportItem(
                    url=sites[i % len(sites)].url(f"/corpus/{corpus[i % len(corpus)]}.html?copy={n}-{i}")
                )
                for i in range(args.pages)
            ]
            saved = services.article_save_many(user=user, entries=entries, origin="import", queue_fetch=False)
            ids = list(Article.objects.filter(user=user).values_list("pk", flat=True))
            assert len(ids) == args.pages, (len(ids), saved.failures[:3])
            workers, logs = [], []
            for index in range(n):
                log = tmp / f"worker-{n}-{index}.log"
                logs.append(log)
                command = [
                    python, "-m", "celery", "-A", "reader", "worker", "-l", "info", "-Q", queue,
                    "--concurrency", str(args.concurrency), "-n", f"scale{n}-{index}-{tag}@%h",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ]  # fmt: skip
                workers.append(
                    subprocess.Popen(
                        command, cwd=HERE, env={**os.environ, **env}, stdout=log.open("wb"),
                        stderr=subprocess.STDOUT, start_new_session=True,
                    )
                )  # fmt: skip
            try:
                ends = time.monotonic() + 180
                while not all(" ready." in log.read_text(errors="replace") for log in logs):
                    if time.monotonic() > ends or any(w.poll() is not None for w in workers):
                        raise SystemExit(
                            "workers did not start:\n" + "\n".join(f.read_text()[-2000:] for f in logs)
                        )
                    time.sleep(0.3)
                worker_pids = set().union(*(_children(w.pid) for w in workers))
                with connection.cursor() as cursor:
                    backends = _backend_pids(cursor, database) - {connection.connection.info.backend_pid}
                    sessions_0 = _sessions(cursor, database)
                cpu_workers_0 = _cpu_seconds(worker_pids)
                started = time.monotonic()
                for pk in ids:
                    enqueue.article_process_enqueue(pk, queue=queue)
                most_connections, seen_backends = 0, set(backends)
                backend_cpu: dict[int, float] = {}
                ends = started + args.timeout
                done = 0
                while time.monotonic() < ends:
                    with connection.cursor() as cursor:
                        now_backends = _backend_pids(cursor, database) - {
                            connection.connection.info.backend_pid
                        }
                        most_connections = max(most_connections, len(now_backends))
                        seen_backends |= now_backends
                        # A backend's CPU is read while it lives (a worker may reconnect between tasks).
                        for pid in now_backends:
                            backend_cpu[pid] = _cpu_seconds({pid})
                        cursor.execute(
                            "SELECT count(*) FROM articles_article WHERE user_id = %s"
                            " AND status IN ('ready', 'failed')",
                            [user.pk],
                        )
                        done = cursor.fetchone()[0]
                    if done >= len(ids):
                        break
                    time.sleep(0.2)
                elapsed = time.monotonic() - started
                with connection.cursor() as cursor:
                    sessions = _sessions(cursor, database) - sessions_0
                worker_pids |= set().union(*(_children(w.pid) for w in workers))
                cpu_workers = _cpu_seconds(worker_pids) - cpu_workers_0
                # The workers' database backends seen during the run (last reading of each).
                for pid in seen_backends:
                    if Path(f"/proc/{pid}").exists():
                        backend_cpu[pid] = _cpu_seconds({pid})
                cpu_database = sum(backend_cpu.values())
            finally:
                for worker in workers:
                    if worker.poll() is None:
                        os.killpg(worker.pid, signal.SIGTERM)
                for worker in workers:
                    try:
                        worker.wait(30)
                    except subprocess.TimeoutExpired:
                        os.killpg(worker.pid, signal.SIGKILL)
            rows = Article.objects.filter(user=user)
            twice = rows.filter(attempts__gt=1).count()
            ready = rows.filter(status="ready").count()
            failed = rows.filter(status="failed").count()
            row = {
                "workers": n,
                "concurrency": args.concurrency,
                "pages": len(ids),
                "finished": done,
                "ready": ready,
                "failed": failed,
                "processed_twice": twice,
                "seconds": round(elapsed, 1),
                "articles_per_s": round(done / elapsed, 2),
                "articles_per_s_per_worker": round(done / elapsed / n, 2),
                "worker_cpu_ms_per_article": round(1000 * cpu_workers / max(done, 1), 1),
                "db_cpu_ms_per_article": round(1000 * cpu_database / max(done, 1), 1),
                "db_connections_most": most_connections,
                "db_sessions_opened": sessions,
                "load_average_after": [round(v, 2) for v in os.getloadavg()],
            }
            results.append(row)
            out(json.dumps(row))
    finally:
        with contextlib.suppress(Exception):
            from reader.celery import app

            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)
        for site in sites:
            threading.Thread(target=site.close, daemon=True).start()
    out("")
    out(f"load average before: {load_before[0]:.2f}; cores: {os.cpu_count()}")
    out(
        "| workers | articles/s | per worker | worker CPU/article | DB CPU/article | DB connections"
        " | connections opened | ready | failed | twice |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        out(
            f"| {r['workers']} | {r['articles_per_s']} | {r['articles_per_s_per_worker']} | "
            f"{r['worker_cpu_ms_per_article']} ms | {r['db_cpu_ms_per_article']} ms | "
            f"{r['db_connections_most']} | {r['db_sessions_opened']} | {r['ready']} | "
            f"{r['failed']} | {r['processed_twice']} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"load_before": load_before, "rows": results}, indent=1))


if __name__ == "__main__":
    main()
