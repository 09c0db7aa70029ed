"""Benchmark: saves during faults on real components (issue 21.8), with the harness of
tests/integration/test_pg_redis_faults.py (tests/faultstack.py): its own PostgreSQL cluster, its own
Redis (append-only file, as in docker-compose.yml), gunicorn with 2 workers, a Celery worker and Celery
beat. Clients POST new addresses to ``/api/articles/`` in a loop while

1. PostgreSQL restarts (``pg_ctl restart -m fast``), then
2. Redis is stopped (SIGTERM) for --redis-seconds and started again.

Reported per fault: saves sent, accepted (2xx), JSON 503 with Retry-After, all 5xx, other errors (HTML or
no answer), accepted saves lost, accepted articles not ready at the end, the fault's length, the recovery
time (fault start to the first accepted save after the last refused one), the longest delay from the
component's return to "ready" of a save accepted during the fault, and the slowest answer.

Usage: python bench/fault_bench.py [--sweep-interval 60] [--redis-seconds 5] [--clients 3] [--repeat 1]
--sweep-interval is beat's FOLIO_REQUEUE_INTERVAL (Folio's default, 60 s): saves accepted while Redis was
down are sent by the first sweep after it returns.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faultstack import Stack, pg_restart_fault, redis_stop_fault, run_fault
from tests.pageserver import PageServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep-interval", type=float, default=60.0)
    parser.add_argument("--redis-seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    pages = PageServer()
    page = pages.url("/seed/voz-russia-taliban.html")
    try:
        with Stack(fetch_networks="127.0.0.0/8,::1/128", sweep_interval=args.sweep_interval) as stack:
            for _ in range(args.repeat):
                for name, fault in (
                    ("postgresql restart", pg_restart_fault(stack)),
                    (f"redis stopped {args.redis_seconds:g} s", redis_stop_fault(stack, args.redis_seconds)),
                ):
                    run = run_fault(
                        stack, page, name, fault, clients=args.clients, settle=args.sweep_interval * 4
                    )
                    sys.stdout.write(json.dumps(run.summary()) + "\n")
                    sys.stdout.flush()
    finally:
        pages.close()


if __name__ == "__main__":
    main()
