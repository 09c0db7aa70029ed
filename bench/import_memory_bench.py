"""Benchmark: peak memory (RSS) of reading a large import file the way ``services.import_run`` does:
the stored file streamed through ``articles.importers.parse_file``, one batch of FOLIO_IMPORT_BATCH_SIZE
entries at a time (issue 21.3). Each measurement runs in a fresh Python process, so its peak RSS
(``ru_maxrss``) is the reading path's alone (Django and the parsers imported included).

Files (built once in a temp directory, or in --dir): a Pocket CSV of 1,000,000 rows and a ZIP holding a
Pocket CSV of 4,000,000 rows (about 30 MB compressed). The row cap (FOLIO_IMPORT_MAX_ENTRIES) is lifted
here so that every row is read.

Usage: python bench/import_memory_bench.py [--rows 1000000] [--zip-rows 4000000] [--dir DIR]
Before the streaming parse (issue 21.3): 588 MB for the 1M-row CSV, 1.13 GB for the 30 MB ZIP.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, rows: int, hosts: int = 300) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("title,url,time_added,tags,status\n")
        for i in range(rows):
            state = "archive" if i % 3 == 0 else "unread"
            out.write(
                f"Article {i},https://site{i % hosts}.example/post/{i},{1600000000 + i},t{i % 20}|bulk,{state}\n"
            )


def write_zip(path: Path, rows: int) -> None:
    csv_path = path.with_suffix(".csv.tmp")
    write_csv(csv_path, rows)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.write(csv_path, "part_000000.csv")
    csv_path.unlink()


CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[3])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
import django
django.setup()
from django.conf import settings
from articles import importers
path, fmt = sys.argv[1], sys.argv[2]
size = max(1, settings.FOLIO_IMPORT_BATCH_SIZE)
start = time.monotonic()
entries, batch = 0, []
with open(path, "rb") as handle:
    for item in importers.parse_file(handle, fmt):
        if item.extra.get("notice"):
            continue
        batch.append(item)
        if len(batch) >= size:
            entries += len(batch)
            batch = []
entries += len(batch)
print(json.dumps({"entries": entries, "seconds": round(time.monotonic() - start, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def measure(path: Path, fmt: str) -> dict:
    env = {**os.environ, "FOLIO_IMPORT_MAX_ENTRIES": str(10**9)}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), fmt, str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--zip-rows", type=int, default=4_000_000)
    parser.add_argument("--dir", default="")
    args = parser.parse_args()
    directory = Path(args.dir or tempfile.mkdtemp(prefix="folio-import-mem-"))
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, zip_path = directory / f"pocket-{args.rows}.csv", directory / f"pocket-{args.zip_rows}.zip"
    if not csv_path.exists():
        write_csv(csv_path, args.rows)
    if not zip_path.exists():
        write_zip(zip_path, args.zip_rows)
    for label, path in ((f"CSV, {args.rows:,} rows", csv_path), (f"ZIP, {args.zip_rows:,} rows", zip_path)):
        figures = measure(path, "pocket_csv")
        size_mb = path.stat().st_size / 1024 / 1024
        sys.stdout.write(
            f"{label} ({size_mb:.1f} MB): {figures['entries']:,} entries read in {figures['seconds']} s, "
            f"peak RSS {figures['peak_rss_mb']} MB\n"
        )


if __name__ == "__main__":
    main()
