"""A small run of bench/library_bench.py (600 articles instead of 100,000): every measured page stays within
5 queries, reads no article body, and the report has server and raw-SQL figures for each page."""

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[1] / "bench" / "library_bench.py"


def _bench():
    spec = importlib.util.spec_from_file_location("library_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_library_benchmark(user):
    bench = _bench()
    info = bench.build(user, 600, batch=250)
    results = bench.run(user, tag_id=info["tag_id"], runs=5, deep_page=10)
    assert set(results) == {"unread", "tag", "all_page_10"}
    for name, figures in results.items():
        assert figures["queries"] <= 5, (name, figures["sql"])
        assert figures["loads_bodies"] is False, name
        assert 0 < figures["p50_ms"] <= figures["p95_ms"]
        assert figures["baseline"]["p50_ms"] > 0 and figures["ratio_p50"] > 0
    assert "OFFSET" not in " ".join(results["all_page_10"]["sql"]).upper()
