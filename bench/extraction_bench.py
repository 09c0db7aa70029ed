#!/usr/bin/env python3
"""Benchmark Folio's extraction (articles.extraction.extract, the worker's function) against plain
trafilatura.extract on the scrapinghub-aeb corpus, in the same run.

Usage: python bench/extraction_bench.py [--limit N] [--repeat N] [--details] [--worst N] [--out DIR]

Prints precision, recall, F1 and pages per second for both, and the speed ratio. The two run page by
page, interleaved, so that load from other processes falls on both alike. Writes the
predictions files (``folio.json``, ``trafilatura.json``) to ``--out`` (default bench/out/).
Pure extraction: no database, no network.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_common import corpus_pages, score, write_predictions  # noqa: E402


def run_both(pages, *, repeat: int = 1, baseline: bool = True):
    """Run Folio's extract and plain trafilatura.extract page by page, interleaved, so that load from other
    processes on the machine falls on both alike. Returns predictions and seconds (the minimum over
    ``repeat`` runs of each page) for each."""
    import trafilatura

    from articles.extraction import ExtractionError, extract

    folio, plain = {}, {}
    folio_time = plain_time = 0.0
    for page_id, url, html in pages:
        best_folio = best_plain = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                folio[page_id] = extract(html, url).text
            except ExtractionError:
                folio[page_id] = ""
            best_folio = min(best_folio, time.perf_counter() - start)
            if baseline:
                start = time.perf_counter()
                plain[page_id] = trafilatura.extract(html) or ""
                best_plain = min(best_plain, time.perf_counter() - start)
        folio_time += best_folio
        plain_time += best_plain if baseline else 0.0
    return folio, folio_time, plain, plain_time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="score an evenly spread sample of N pages")
    parser.add_argument(
        "--details", action="store_true", help="show leaked/missed shingles of the worst pages"
    )
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--repeat", type=int, default=1, help="time each page N times, keep the fastest")
    parser.add_argument("--only-folio", action="store_true", help="skip the trafilatura baseline")
    args = parser.parse_args(argv)

    pages = corpus_pages(args.limit)
    # Warm up imports and models (trafilatura, readability, py3langid) outside the timed runs, as in a
    # long-running worker.
    from articles.extraction import detect_language

    detect_language("A few words of English text to load the language model once.")
    run_both(pages[:3])
    rows = []
    folio_pred, folio_time, traf_pred, traf_time = run_both(
        pages, repeat=args.repeat, baseline=not args.only_folio
    )
    write_predictions(Path(args.out) / "folio.json", folio_pred)
    folio = score(folio_pred, details=args.details, worst=args.worst)
    rows.append(("folio", folio["summary"], len(pages) / folio_time))
    if not args.only_folio:
        write_predictions(Path(args.out) / "trafilatura.json", traf_pred)
        traf = score(traf_pred)
        rows.append(("trafilatura", traf["summary"], len(pages) / traf_time))

    print(folio["summary"]["report"])
    print(f"pages: {len(pages)}")
    print(f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8}")
    for name, summary, speed in rows:
        print(
            f"{name:<12} {summary['precision']:6.4f} {summary['recall']:6.4f} {summary['f1']:6.4f}"
            f" {speed:8.1f}"
        )
    if len(rows) == 2:
        print(f"speed ratio folio/trafilatura: {rows[0][2] / rows[1][2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
