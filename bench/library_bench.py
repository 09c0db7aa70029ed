"""Library page benchmark: server time and SQL queries of the Unread view, a tag view and page 500 of All
for one user with 100,000 articles, beside a raw SQL baseline measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/folio_libbench .venv/bin/python bench/library_bench.py

The database named in DATABASE_URL is created if missing, migrated, and filled once by the benchmarks' one
library builder (bench/library_builder.py; rerun with --rebuild to refill). Server time is the whole Django request (middleware, session,
auth, queries, template) through django.test.Client, timed with perf_counter; the baseline is the same
page's two SELECTs (rows, then their tags) sent as hand-written SQL through the same connection.
Figures go to stdout and bench/out/library.json. Targets (issue 4): p95 <= 30 ms, <= 5 queries per page,
no query reading article bodies.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
PAGE = 50


def setup_django(database_url: str | None) -> None:
    """Point Django at the bench database (creating it on PostgreSQL if needed) and migrate it."""
    from library_builder import database_prepare

    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        # A checkout where collectstatic never ran (a worktree): read static files from the app folders, as
        # DEBUG does, instead of answering 500 for a missing manifest entry. The page's few static URLs cost
        # a dictionary lookup either way.
        os.environ.setdefault("FOLIO_STATIC_FINDERS", "true")
    database_prepare(database_url)


def build(user, n: int, *, seed: int = 4, batch: int = 500) -> dict:
    """Fill ``user``'s library with ``n`` ready articles through the benchmarks' one builder
    (bench/library_builder.py: real text, the rows production writes; about 40% read, 30% archived, 5%
    favorites, 10% half-read, 0-2 of 10 tags each). Returns {"tag_id": the id of the tag "politics", on
    about 5% of the articles}."""
    from library_builder import library_build

    from articles.models import Tag

    library_build(user=user, n=n, seed=seed, batch=batch, fast=True, defer_indexes=True)
    return {"tag_id": Tag.objects.get(user=user, name="politics").pk}


def cursor_of_page(user, page: int) -> str:
    """The ``after`` cursor that opens page ``page`` (1-based) of All, newest first (raw SQL lookup)."""
    from articles.models import Article
    from articles.queries import _cursor_encode

    row = (
        Article.objects.filter(user=user, deleted_at__isnull=True)
        .order_by("-saved_at", "-id")
        .only("id", "saved_at")[(page - 1) * PAGE - 1]
    )
    return _cursor_encode(row, "saved_at")


def out(*parts: object, err: bool = False) -> None:
    """Write a line of the report (stdout) or a progress note (stderr)."""
    (sys.stderr if err else sys.stdout).write(" ".join(str(p) for p in parts) + "\n")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_page(client, url: str, runs: int) -> dict:
    """Time ``runs`` GETs of ``url`` (after 5 warm-ups) and count one request's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        status = client.get(url).status_code
        assert status == 200, (url, status)
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    sqls = [q["sql"] for q in ctx.captured_queries]
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(_percentile(cpu, 0.95), 2),
        "queries": len(sqls),
        "loads_bodies": any("content_html" in s or "content_text" in s for s in sqls),
        "sql": sqls,
    }


def raw_baseline(user_id: int, *, view: str, tag_id: int | None, cursor: str | None, runs: int) -> dict:
    """The same page as hand-written SQL in the shapes articles.queries.article_page sends: the 51 rows
    (list columns only; for the tag view, the ids picked in a subquery first), then their tag ids."""
    from django.db import connection

    from articles.queries import LIST_FIELDS

    cols = ", ".join(f"a.{c}" for c in LIST_FIELDS)
    where, params = ["a.user_id = %s", "a.deleted_at IS NULL"], [user_id]
    if view == "unread":
        where += ["a.is_archived = %s", "a.read_at IS NULL"]
        params += [False]
    join = ""
    if view == "tag":
        join = "JOIN articles_article_tags at ON at.article_id = a.id"
        where.append("at.tag_id = %s")
        params.append(tag_id)
    if cursor:
        from articles.queries import _cursor_decode

        value, pk = _cursor_decode(cursor, "saved_at")
        where.append("a.saved_at <= %s AND (a.saved_at < %s OR a.id < %s)")
        params += [value, value, int(pk)]
    order = f"ORDER BY a.saved_at DESC, a.id DESC LIMIT {PAGE + 1}"
    rows_sql = f"SELECT {cols} FROM articles_article a {join} WHERE {' AND '.join(where)} {order}"
    if view == "tag":
        ids_sql = f"SELECT a.id FROM articles_article a {join} WHERE {' AND '.join(where)} {order}"
        rows_sql = f"SELECT {cols} FROM articles_article a WHERE a.id IN ({ids_sql}) {order}"
    times = []
    with connection.cursor() as cur:
        for i in range(runs + 5):
            t0 = time.perf_counter()
            cur.execute(rows_sql, params)
            ids = [r[0] for r in cur.fetchall()]
            marks = ", ".join(["%s"] * len(ids)) or "NULL"
            cur.execute(
                f"SELECT article_id, tag_id FROM articles_article_tags WHERE article_id IN ({marks})",
                ids,
            )
            cur.fetchall()
            if i >= 5:
                times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(_percentile(times, 0.95), 3)}


def run(user, *, tag_id: int, runs: int, deep_page: int) -> dict:
    """Measure the three pages and their baselines; returns {page name: figures}."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    after = cursor_of_page(user, deep_page)
    pages = {
        "unread": ("/", "unread", None),
        "tag": (f"/tags/{tag_id}/", "tag", None),
        f"all_page_{deep_page}": (f"/all/?after={after}", "all", after),
    }
    results = {}
    for name, (url, view, cursor) in pages.items():
        figures = measure_page(client, url, runs)
        figures["baseline"] = raw_baseline(user.pk, view=view, tag_id=tag_id, cursor=cursor, runs=runs)
        figures["ratio_p50"] = round(figures["p50_ms"] / max(figures["baseline"]["p50_ms"], 1e-6), 1)
        results[name] = figures
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--page", type=int, default=500, help="deep page of All to time")
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
    parser.add_argument("--rebuild", action="store_true", help="delete the bench user's data and refill")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from articles.models import Article, Tag

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = get_user_model().objects
    user, _ = users.get_or_create(username="libbench")
    have = Article.objects.filter(user=user).count()
    if args.rebuild or have != args.articles:
        Article.objects.filter(user=user).delete()
        Tag.objects.filter(user=user).delete()
        t0 = time.perf_counter()
        info = build(user, args.articles)
        out(f"built {args.articles} articles in {time.perf_counter() - t0:.1f} s", err=True)
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk insert: planner statistics, and the visibility map that
            # lets the tag view's subquery scan article_user_live_saved index-only (queries.article_page).
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
    else:
        info = {"tag_id": Tag.objects.get(user=user, name="politics").pk}
    tag_count = Article.tags.through.objects.filter(tag_id=info["tag_id"]).count()
    results = run(user, tag_id=info["tag_id"], runs=args.runs, deep_page=args.page)
    report = {
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
        "cpus": os.cpu_count(),
        "engine": connection.vendor,
        "articles": args.articles,
        "runs": args.runs,
        "tag_articles": tag_count,
        "pages": results,
    }
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "library.json").write_text(json.dumps(report, indent=2))
    out(
        f"{connection.vendor}, {args.articles} articles, {args.runs} requests per page "
        f"(tag view: {tag_count} articles)"
    )
    out(
        f"{'page':<14} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'queries':>8} {'bodies':>7} "
        f"{'raw p50':>8} {'raw p95':>8} {'x raw':>6}"
    )
    for name, f in results.items():
        out(
            f"{name:<14} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['cpu_p50_ms']:>8} {f['cpu_p95_ms']:>8} "
            f"{f['queries']:>8} {f['loads_bodies']!s:>7} "
            f"{f['baseline']['p50_ms']:>8} {f['baseline']['p95_ms']:>8} {f['ratio_p50']:>6}"
        )
    out("load average (1, 5, 15 min):", " ".join(report["loadavg"] or []), "on", report["cpus"], "CPUs")
    ok = all(f["p95_ms"] <= 30 and f["queries"] <= 5 and not f["loads_bodies"] for f in results.values())
    out("targets (p95 <= 30 ms, <= 5 queries, no bodies):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
