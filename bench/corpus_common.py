"""Shared helpers for the corpus benchmarks: load the scrapinghub-aeb pages, score predictions, time runs.

The corpus is /work/shared/corpus/scrapinghub-aeb (181 gzip HTML pages + ground-truth.json); scoring is
done by the shared, extractor-independent scorer /work/shared/tools/extraction_score.py (4-token shingles,
per-page P/R averaged over pages, F1 = harmonic mean of the means), run as a subprocess.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SHARED = Path(os.environ.get("FOLIO_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared"))
if not (SHARED / "corpus").is_dir():
    SHARED = Path("/work/shared")
CORPUS_DIR = SHARED / "corpus" / "scrapinghub-aeb"
SCORER = SHARED / "tools" / "extraction_score.py"


def corpus_pages(limit: int | None = None) -> list[tuple[str, str, str]]:
    """``[(page_id, url, html)]`` sorted by id; ``limit`` takes an evenly spread sample of that many pages."""
    truth = json.loads((CORPUS_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if limit and limit < len(ids):
        step = len(ids) / limit
        ids = [ids[int(i * step)] for i in range(limit)]
    pages = []
    for page_id in ids:
        html = gzip.decompress((CORPUS_DIR / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        pages.append((page_id, truth[page_id].get("url", ""), html))
    return pages


def score(predictions: dict[str, str], *, details: bool = False, worst: int = 0) -> dict:
    """Score ``{page_id: text}`` with the shared scorer over the pages given; returns its summary dict.

    Only the ids in ``predictions`` are scored (a sample is scored against its own truth subset).
    """
    truth = json.loads((CORPUS_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "ground-truth.json").write_text(
            json.dumps({k: truth[k] for k in predictions}), encoding="utf-8"
        )
        pred_path = Path(tmp) / "pred.json"
        pred_path.write_text(json.dumps(predictions), encoding="utf-8")
        out_path = Path(tmp) / "out.json"
        command = [
            sys.executable,
            str(SCORER),
            "--corpus",
            str(corpus),
            "--predictions",
            str(pred_path),
            "--json-out",
            str(out_path),
            "--worst",
            str(worst),
            "--bootstrap",
            "200",
        ]
        if details:
            command.append("--details")
        run = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(out_path.read_text(encoding="utf-8"))
    result["summary"]["report"] = run.stdout
    return result


def write_predictions(path: Path, predictions: dict[str, str]) -> None:
    """Write a predictions file in the scorer's format (id -> text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(predictions, ensure_ascii=False, indent=0), encoding="utf-8")
