"""Benchmark: how long 20 ordinary saves wait behind two endless pages (issue 21, item 2), beside the same 20
saves with no endless page, in one run, with real Celery workers started as ``make run`` starts them.

Phase 1 (baseline): save 20 corpus pages, each on its own local site, and time each from the save to
``ready``. Phase 2: save two pages whose servers send headers and then one byte a second for ever (no
Content-Length), wait until a worker has them, then save the same 20 pages again (new addresses) and time
them the same way. The delay added by the endless pages is phase 2 minus phase 1.

Every save goes through ``services.article_save_url`` (production's path) into a throw-away SQLite database;
tasks go through Redis on queues named for this run, and the workers are real processes of the checkout
under test. ``--checkout`` runs the benchmark against another tree (for example an export of main:
``git archive main | tar -x -C /tmp/folio-main``) with that tree's worker command line:

  python bench/fetch_starvation_bench.py                          # this checkout
  python bench/fetch_starvation_bench.py --checkout /tmp/folio-main

Prints the median, p95 and max wait of each phase and writes them to ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def endless(handler) -> None:
    """Headers, then one byte a second until the client hangs up (no Content-Length, so no end)."""
    try:
        handler.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html><body>"
        )
        handler.wfile.flush()
        while True:
            time.sleep(1.0)
            handler.wfile.write(b"a")
            handler.wfile.flush()
    except OSError:
        pass


def worker_commands(checkout: Path, python: str) -> list[list[str]]:
    """The worker processes ``make run`` starts in ``checkout`` (read from its Makefile's run target)."""
    makefile = (checkout / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = []
    for line in run.splitlines():
        line = line.strip().lstrip("@").rstrip("\\").strip().rstrip("&").strip()
        if "celery -A reader worker" not in line:
            continue
        words = shlex.split(line.replace("$(BIN)/", ""))
        words = [w for w in words if w not in ("-B",)]
        # No beat here (the sweeper would add noise), no schedule file; node names are the benchmark's.
        for option in ("-s", "-n"):
            if option in words:
                index = words.index(option)
                del words[index : index + 2]
        commands.append([python, "-m", *words])
    if not commands:
        raise SystemExit(f"no worker command in {checkout}/Makefile's run target")
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, default=HERE)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument(
        "--timeout", type=float, default=400.0, help="Give up waiting after this many seconds."
    )
    parser.add_argument("--out", type=Path, default=HERE / "bench" / "out" / "fetch_starvation.json")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    sys.path.insert(0, str(checkout))
    tag = uuid.uuid4().hex[:6]
    tmp = Path(tempfile.mkdtemp(prefix="folio-starvation-"))
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "CELERY_BROKER_URL": args.broker,
        "FOLIO_DATA_DIR": str(tmp),
        "FOLIO_REDIS_PREFIX": f"folio-starvation-{tag}",
        "FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "DJANGO_SETTINGS_MODULE": "reader.settings",
    }
    # Queue names of this run only, whatever the checkout calls them (a -Q list is rewritten below).
    queues = {
        "folio": f"folio-{tag}",
        "folio-import": f"folio-import-{tag}",
        "folio-slow": f"folio-slow-{tag}",
    }
    env.update(
        FOLIO_QUEUE=queues["folio"],
        FOLIO_IMPORT_QUEUE=queues["folio-import"],
        FOLIO_SLOW_QUEUE=queues["folio-slow"],
    )
    os.environ.update(env)
    os.chdir(checkout)
    import django

    django.setup()
    from django.core.management import call_command

    from articles import services
    from articles.models import Article
    from tests.pageserver import CORPUS_DIR, PageServer

    call_command("migrate", verbosity=0)
    user = (
        __import__("django.contrib.auth", fromlist=["get_user_model"])
        .get_user_model()
        .objects.create_user(username=f"bench-{tag}")
    )
    corpus = sorted(p.name.removesuffix(".html.gz") for p in (CORPUS_DIR / "html").glob("*.html.gz"))[
        : args.saves
    ]
    # Each ordinary page on its own site (its own port), so that the per-host limit does not serialize them.
    sites = [PageServer() for _ in corpus]
    slow_sites = [PageServer(), PageServer()]
    for site in slow_sites:
        site.add("/endless.html", handler=endless)

    python = str(checkout / ".venv" / "bin" / "python") if (checkout / ".venv").exists() else sys.executable
    logs, workers = [], []
    for index, command in enumerate(worker_commands(checkout, python)):
        if "-Q" in command:
            at = command.index("-Q") + 1
            command[at] = ",".join(queues.get(q, q) for q in command[at].split(","))
        command += [
            "-n",
            f"bench{index}-{tag}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        log = tmp / f"worker{index}.log"
        logs.append(log)
        out("worker: " + " ".join(command[2:]))
        workers.append(
            subprocess.Popen(
                command, cwd=checkout, env={**os.environ, **env}, stdout=log.open("wb"),
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not all(" ready." in log.read_text(errors="replace") for log in logs):
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit("workers did not start:\n" + "\n".join(f.read_text()[-2000:] for f in logs))
            time.sleep(0.3)

        def save(url: str) -> int:
            return services.article_save_url(user=user, url=url, origin="api")[0].pk

        def save_all(run: str) -> dict[int, float]:
            saved = {}
            for site, page_id in zip(sites, corpus, strict=True):
                saved[save(site.url(f"/corpus/{page_id}.html?run={run}"))] = time.monotonic()
            return saved

        def wait_ready(saved: dict[int, float]) -> list[float]:
            done: dict[int, float] = {}
            ends = time.monotonic() + args.timeout
            while len(done) < len(saved) and time.monotonic() < ends:
                for pk, status in Article.objects.filter(pk__in=saved).values_list("pk", "status"):
                    if pk not in done and status in ("ready", "failed"):
                        done[pk] = time.monotonic() - saved[pk]
                time.sleep(0.1)
            return [done.get(pk, float("inf")) for pk in saved]

        baseline = wait_ready(save_all("baseline"))
        out(f"phase 1 (no endless page): {summarize(baseline)}")
        stuck = [save(s.url("/endless.html")) for s in slow_sites]
        ends = time.monotonic() + 60
        while Article.objects.filter(pk__in=stuck, status="fetching").count() < 2 and time.monotonic() < ends:
            time.sleep(0.1)
        behind = wait_ready(save_all("behind"))
        out(f"phase 2 (behind 2 endless pages): {summarize(behind)}")
        result = {
            "checkout": str(checkout),
            "workers": [" ".join(c[2:]) for c in worker_commands(checkout, python)],
            "baseline_seconds": baseline,
            "behind_seconds": behind,
            "baseline": stats(baseline),
            "behind": stats(behind),
            "added_delay_median": stats(behind)["median"] - stats(baseline)["median"],
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
        out(f"added delay (median): {result['added_delay_median']:.1f} s; written to {args.out}")
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        _purge(args.broker, queues.values())
        for site in [*sites, *slow_sites]:
            threading.Thread(target=site.close, daemon=True).start()
        shutil.rmtree(tmp, ignore_errors=True)


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def summarize(values: list[float]) -> str:
    s = stats(values)
    return f"wait from save to ready: median {s['median']:.1f} s, p95 {s['p95']:.1f} s, max {s['max']:.1f} s"


def _purge(broker: str, queues) -> None:
    from reader.celery import app

    with contextlib.suppress(Exception), app.connection_for_write() as connection:
        for queue in queues:
            with contextlib.suppress(Exception):
                connection.default_channel.queue_purge(queue)


if __name__ == "__main__":
    main()
