"""The search benchmark in small (2,000 articles from the real corpus): it runs, every query answers, and
Folio's top 20 agree with the naive full ranking. The 100,000-article run is ``bench/search_bench.py``."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from library_builder import library_build
from search_bench import report, run

pytestmark = pytest.mark.django_db


def test_small_search_benchmark(user, client_logged_in, settings):
    from django.db import connection

    assert library_build(user=user, n=2000) == 2000
    results = run(user, repeats=1, client=client_logged_in)
    text = report(results, articles=2000, engine=connection.vendor)
    print(text)  # noqa: T201  (shown with -s)
    kinds = {r.kind for r in results}
    assert kinds >= {"common", "rare", "phrase", "filter", "prefix", "none"}
    assert len(results) == 33
    assert all(r.hits == 0 for r in results if r.kind == "none")
    assert all(r.hits > 0 for r in results if r.kind in ("common", "rare", "phrase", "prefix"))
    common = [r for r in results if r.kind == "common"]
    assert all(0.08 * 2000 <= r.hits <= 0.4 * 2000 for r in common), [(r.query, r.hits) for r in common]
    assert sum(r.overlap for r in results) / len(results) >= 0.8
    assert "mean top-20 overlap" in text
