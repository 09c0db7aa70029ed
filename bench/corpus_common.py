"""Shared helpers for the corpus benchmarks: load a corpus directory, score predictions, split by language.

A corpus directory has the layout of ``../shared/corpus/scrapinghub-aeb``: ``html/<id>.html.gz`` (UTF-8)
and ``ground-truth.json`` (``{id: {"articleBody": ..., "url": ..., optional "language", "title",
"authors", "published"}}``). The default corpus is scrapinghub-aeb; Folio's second corpus is assembled by
``bench/corpus2_build.py`` (see ``bench/corpus2/README.md``) and passed with ``--corpus DIR``.

Scoring is done by the shared, extractor-independent scorer ``../shared/tools/extraction_score.py``
(4-token shingles, per-page P/R averaged over pages, F1 = harmonic mean of the means), run as a subprocess
with ``--json-out``; ``by_language`` applies the same averaging to the scorer's per-page figures of each
language.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(os.environ.get("FOLIO_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared"))
CORPUS_DIR = SHARED / "corpus" / "scrapinghub-aeb"
SCORER = SHARED / "tools" / "extraction_score.py"

#: Languages reported on their own line; the rest are summed up as "other".
MAIN_LANGUAGES = ("en", "de", "fr", "es")


@dataclass
class Page:
    """One corpus page: its id, address, HTML and ground-truth entry (``language`` may be empty)."""

    id: str
    url: str
    html: str
    truth: dict

    @property
    def language(self) -> str:
        """The truth's ``language``, else py3langid's guess on the reference text (as corpus2_build does)."""
        if "language" not in self.truth:
            import py3langid

            self.truth["language"] = py3langid.classify(self.truth.get("articleBody", "")[:5000])[0]
        return self.truth["language"]


def load_truth(corpus_dir: Path = CORPUS_DIR) -> dict[str, dict]:
    """The corpus's ``ground-truth.json`` as a dict."""
    return json.loads((Path(corpus_dir) / "ground-truth.json").read_text(encoding="utf-8"))


def load_corpus(corpus_dir: Path = CORPUS_DIR, limit: int | None = None) -> list[Page]:
    """The corpus's pages sorted by id; ``limit`` takes an evenly spread sample of that many pages."""
    corpus_dir = Path(corpus_dir)
    truth = load_truth(corpus_dir)
    ids = sorted(truth)
    if limit and limit < len(ids):
        step = len(ids) / limit
        ids = [ids[int(i * step)] for i in range(limit)]
    pages = []
    for page_id in ids:
        html = gzip.decompress((corpus_dir / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        pages.append(Page(page_id, truth[page_id].get("url", ""), html, truth[page_id]))
    return pages


def corpus_pages(limit: int | None = None) -> list[tuple[str, str, str]]:
    """``[(page_id, url, html)]`` of scrapinghub-aeb sorted by id (evenly spread sample of ``limit``)."""
    return [(p.id, p.url, p.html) for p in load_corpus(CORPUS_DIR, limit)]


def score(
    predictions: dict[str, str],
    *,
    corpus_dir: Path = CORPUS_DIR,
    details: bool = False,
    worst: int = 0,
    bootstrap: int = 200,
) -> dict:
    """Score ``{page_id: text}`` with the shared scorer over the pages given; returns its JSON output
    (``{"summary": {...}, "pages": [...]}``), with the printed report in ``summary["report"]``.

    Only the ids in ``predictions`` are scored (a sample is scored against its own truth subset).
    """
    truth = load_truth(corpus_dir)
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
            str(bootstrap),
        ]
        if details:
            command.append("--details")
        run = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(out_path.read_text(encoding="utf-8"))
    result["summary"]["report"] = run.stdout
    return result


def aggregate(pages: list[dict]) -> dict:
    """P, R and F1 of scorer page entries, averaged as the scorer does (mean of defined page values)."""
    precisions = [p["precision"] for p in pages if p["precision"] is not None]
    recalls = [p["recall"] for p in pages if p["recall"] is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(pages)}


def by_language(result: dict, languages: dict[str, str]) -> dict[str, dict]:
    """``{language: aggregate}`` for MAIN_LANGUAGES present, ``other`` and ``all`` (from the scorer's pages)."""
    groups: dict[str, list[dict]] = {}
    for page in result["pages"]:
        language = languages.get(page["id"], "")
        key = language if language in MAIN_LANGUAGES else "other"
        groups.setdefault(key, []).append(page)
    table = {lang: aggregate(groups[lang]) for lang in (*MAIN_LANGUAGES, "other") if lang in groups}
    table["all"] = aggregate(result["pages"])
    return table


def write_predictions(path: Path, predictions: dict[str, str]) -> None:
    """Write a predictions file in the scorer's format (id -> text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(predictions, ensure_ascii=False, indent=0), encoding="utf-8")
