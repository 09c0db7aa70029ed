"""Search result rows: CPU time to print one page of 50 results (issue 15 item 4), nothing else.

    .venv/bin/python bench/search_rows_bench.py            # 50 rows, 200 renders, median and p95 CPU ms
    .venv/bin/python bench/search_rows_bench.py --rows 20 --runs 500

A throwaway SQLite library (a temporary FOLIO_DATA_DIR) gets ``--rows`` articles through the bulk saving
door (article_save_many, so the search index is the one production writes), each with three tags and a
paragraph holding the word searched for. ``article_search`` answers the query once (headlines, tags
prefetched), then the ``{% search_rows %}`` tag (templatetags/search_rows.py: what the results partial
calls) prints the page ``--runs`` times. The figure is this process's CPU time (time.process_time) per
page, so the load of the machine matters little; the search itself is not in it (bench/search_bench.py
times whole requests).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "orchard",
    "harvest",
    "ladder",
    "basket",
    "pruning",
    "blossom",
    "frost",
    "cider",
    "grafting",
    "rootstock",
    "meadow",
    "hedgerow",
    "beekeeping",
    "pollination",
    "windfall",
    "varieties",
    "heritage",
    "russet",
    "bramley",
    "pippin",
]


def setup(data_dir: str) -> None:
    os.environ["DATABASE_URL"] = ""
    os.environ["FOLIO_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def library(rows: int):
    from django.contrib.auth import get_user_model

    from articles.importers import ImportItem
    from articles.services import article_save_many

    user = get_user_model().objects.create(username="rowsbench")
    entries = []
    for n in range(rows):
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(60))
        entries.append(
            ImportItem(
                url=f"https://example{n % 7}.com/articles/{n}",
                title=f"Notes from the <orchard> & the hedgerow, part {n}",
                tags=[f"garden {n % 5}", "orchard", f"season {n % 4}"],
                content_html=f"<p>{words}. The orchard in spring, number {n}.</p><p>{words}</p>",
            )
        )
    article_save_many(user=user, entries=entries, origin="import", queue_fetch=False)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--dump", type=Path, default=None, help="write the page's HTML there (to compare)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-rows-bench-") as data_dir:
        setup(data_dir)
        from django.utils import translation

        from articles.search import article_search
        from articles.templatetags.search_rows import search_rows

        user = library(args.rows)
        translation.activate("en")
        page = article_search(user=user, query="orchard", per_page=args.rows)
        assert len(page.results) == args.rows, len(page.results)
        html = str(search_rows(page, "?q=orchard"))
        if args.dump:
            args.dump.write_text(html)
        for _ in range(10):  # warm: templates compiled, caches filled
            search_rows(page, "?q=orchard")
        cpu = []
        for _ in range(args.runs):
            t0 = time.process_time()
            search_rows(page, "?q=orchard")
            cpu.append((time.process_time() - t0) * 1000)
        cpu.sort()
        p95 = cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))]
        print(
            f"{args.rows} search rows, {args.runs} renders: CPU median {statistics.median(cpu):.2f} ms, "
            f"p95 {p95:.2f} ms per page ({len(html)} characters)"
        )
        load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
        print("load average (1, 5, 15 min):", " ".join(load), "on", os.cpu_count(), "CPUs")


if __name__ == "__main__":
    main()
