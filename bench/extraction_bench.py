#!/usr/bin/env python3
"""Benchmark Folio's extraction (articles.extraction.extract, the worker's function) against plain
trafilatura, default and with comments off, on one or more corpora, in the same run.

Usage: python bench/extraction_bench.py [--corpus DIR ...] [--limit N] [--repeat N] [--worst N] [--out DIR]

``--corpus`` may be given several times (default: ``../shared/corpus/scrapinghub-aeb``); Folio's second
corpus is built by ``bench/corpus2_build.py`` outside the repository (``--corpus /work/corpus2`` on the
development machine). For each corpus it prints precision, recall and F1 per language (en, de, fr, es,
other, all) for the three extractors, scored by ``../shared/tools/extraction_score.py``, then the speed:
pages per CPU second (``time.process_time``) and per wall second for each extractor, Folio's ratio to
plain trafilatura, and Folio's slowest page. The three run page by page, interleaved, so that load from
other processes falls on all alike; ``--repeat N`` keeps each page's fastest of N runs. Predictions go to
``--out`` (default bench/out/<corpus name>/). Pure extraction: no database, no network.

"plain trafilatura" is ``trafilatura.extract(html)`` (its defaults: full mode with its readability and
jusText fallbacks, comments on); "comments off" adds ``include_comments=False``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_common import CORPUS_DIR, by_language, load_corpus, score, write_predictions  # noqa: E402

EXTRACTORS = ("folio", "trafilatura", "traf-nocomments")


def _runners():
    import trafilatura

    from articles.extraction import ExtractionError, extract

    def folio(page):
        try:
            return extract(page.html, page.url).text
        except ExtractionError:
            return ""

    return {
        "folio": folio,
        "trafilatura": lambda page: trafilatura.extract(page.html) or "",
        "traf-nocomments": lambda page: trafilatura.extract(page.html, include_comments=False) or "",
    }


def run_all(pages, *, repeat: int = 1, names=EXTRACTORS):
    """Run each extractor on each page, interleaved. Returns ``{name: {"pred": {id: text}, "cpu": s,
    "wall": s, "slowest": (seconds, page id)}}``; times are each page's fastest of ``repeat`` runs."""
    runners = _runners()
    results = {name: {"pred": {}, "cpu": 0.0, "wall": 0.0, "slowest": (0.0, "")} for name in names}
    for page in pages:
        for name in names:
            best_cpu = best_wall = float("inf")
            for _ in range(repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                text = runners[name](page)
                best_cpu = min(best_cpu, time.process_time() - cpu)
                best_wall = min(best_wall, time.perf_counter() - wall)
            entry = results[name]
            entry["pred"][page.id] = text
            entry["cpu"] += best_cpu
            entry["wall"] += best_wall
            entry["slowest"] = max(entry["slowest"], (best_wall, page.id))
    return results


def report(corpus_dir: Path, pages, results, *, worst: int, details: bool, out: Path) -> dict:
    """Score and print one corpus; returns the figures as a dict (also written to ``out``)."""
    languages = {p.id: p.language for p in pages}
    figures: dict = {"corpus": str(corpus_dir), "pages": len(pages), "extractors": {}}
    folio_report = ""
    for name, entry in results.items():
        write_predictions(out / f"{name}.json", entry["pred"])
        scored = score(
            entry["pred"], corpus_dir=corpus_dir, details=details, worst=worst if name == "folio" else 0
        )
        if name == "folio":
            folio_report = scored["summary"]["report"]
        figures["extractors"][name] = {
            "languages": by_language(scored, languages),
            "pages_per_cpu_s": len(pages) / entry["cpu"] if entry["cpu"] else 0.0,
            "pages_per_wall_s": len(pages) / entry["wall"] if entry["wall"] else 0.0,
            "slowest_s": round(entry["slowest"][0], 3),
            "slowest_page": entry["slowest"][1],
        }
    print(folio_report)
    counts = {lang: row["pages"] for lang, row in figures["extractors"]["folio"]["languages"].items()}
    print(f"corpus {corpus_dir}: {len(pages)} pages ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    header = f"{'language':<8} " + " ".join(f"{name + ' P/R/F1':>24}" for name in results)
    print(header)
    for lang in counts:
        cells = []
        for name in results:
            row = figures["extractors"][name]["languages"][lang]
            cells.append(f"{row['precision']:.3f}/{row['recall']:.3f}/{row['f1']:.3f}".rjust(24))
        print(f"{lang:<8} " + " ".join(cells))
    print(f"{'speed':<16} {'pages/CPU s':>12} {'pages/wall s':>13} {'slowest page':>13}")
    for name in results:
        row = figures["extractors"][name]
        print(
            f"{name:<16} {row['pages_per_cpu_s']:12.2f} {row['pages_per_wall_s']:13.2f} {row['slowest_s']:12.2f}s"
        )
    folio = figures["extractors"]["folio"]
    for name in results:
        if name != "folio" and figures["extractors"][name]["pages_per_cpu_s"]:
            ratio = folio["pages_per_cpu_s"] / figures["extractors"][name]["pages_per_cpu_s"]
            figures[f"cpu_ratio_vs_{name}"] = round(ratio, 3)
            print(f"speed ratio folio/{name} (pages per CPU second): {ratio:.2f}")
    print(f"folio's slowest page: {folio['slowest_s']:.2f} s wall ({folio['slowest_page']})")
    (out / "figures.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", type=Path, help="corpus directory (repeatable)")
    parser.add_argument(
        "--limit", type=int, default=None, help="an evenly spread sample of N pages per corpus"
    )
    parser.add_argument(
        "--details", action="store_true", help="show leaked/missed shingles of the worst pages"
    )
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=1, help="time each page N times, keep the fastest")
    parser.add_argument("--only-folio", action="store_true", help="skip the trafilatura baselines")
    args = parser.parse_args(argv)

    names = ("folio",) if args.only_folio else EXTRACTORS
    corpora = args.corpus or [CORPUS_DIR]
    # Warm up imports and models (trafilatura, readability, py3langid) outside the timed runs, as in a
    # long-running worker.
    from articles.extraction import detect_language, extract

    detect_language("A few words of English text to load the language model once.")
    # A page without a date: htmldate's extensive search loads its date parsers on first use.
    extract("<html><body><article>" + "<p>Words of a page that states no date at all here.</p>" * 9, "")
    for corpus_dir in corpora:
        pages = load_corpus(corpus_dir, args.limit)
        run_all(pages[:3], names=names)
        results = run_all(pages, repeat=args.repeat, names=names)
        out = args.out / Path(corpus_dir).name
        out.mkdir(parents=True, exist_ok=True)
        report(corpus_dir, pages, results, worst=args.worst, details=args.details, out=out)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
