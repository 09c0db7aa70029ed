"""Search benchmark: p50/p95 of the whole search request on a library built from real text, beside naive SQL.

    # PostgreSQL, 100,000 articles in a separate database (built once, then reused):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/folio_bench .venv/bin/python bench/search_bench.py --articles 100000
    # 1,000,000 articles: its own database (about 25 GB with its indexes)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/folio_bench1m .venv/bin/python bench/search_bench.py --articles 1000000
    # SQLite:
    DATABASE_URL=sqlite:////tmp/folio_bench.sqlite3 .venv/bin/python bench/search_bench.py --articles 100000

The library (bench/library_builder.py, the benchmarks' one builder: the rows production writes) is built
once per database for the user ``bench``, with wall time, this process's CPU time, the database server's
CPU time and the load average printed; ``--rebuild`` starts over, ``--build-only`` stops there. The 33
queries are chosen from the library itself so that they mean the same thing at any size (``queries_choose``:
the benchmark's kinds and the slow kinds). Each query is timed as a whole request (``GET /search/?q=…``
through Django's test client: session, parse, count, rank, headlines, the htmx results partial) with the
app's CPU time and the database backend's CPU time (from /proc, 10 ms ticks), and, in the same run, as the
naive SQL: ``WHERE search_vector @@ q ORDER BY ts_rank_cd(...) DESC LIMIT 20`` plus ``ts_headline`` on those
20 (PostgreSQL) or ``MATCH … ORDER BY bm25 LIMIT 20`` plus ``snippet`` (SQLite). The overlap is the share of
Folio's top 20 that is in the naive full ranking's top 20 (articles tied on rank count as equal). A count
that stopped at FOLIO_SEARCH_COUNT_LIMIT is printed with a ``+`` (10000+). Each row
ends with the 1-minute load average after its runs: on a shared machine the wall times follow the load,
the CPU times much less.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


@dataclass
class QueryResult:
    kind: str
    query: str
    hits: int
    folio_p50: float
    folio_p95: float
    naive_p50: float
    naive_p95: float
    overlap: float
    app_cpu_p50: float = 0.0
    db_cpu_p50: float | None = None
    load: str = ""
    #: True when the search stopped counting at FOLIO_SEARCH_COUNT_LIMIT (``hits`` is then that limit).
    capped: bool = False


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def queries_choose(user, *, seed: int = 7) -> list[tuple[str, str]]:
    """33 (kind, query) pairs chosen from a sample of the user's English articles, so that they mean the
    same thing at any size. The benchmark's kinds: 4 common words (each found in about 20% of the
    library), 4 rare (in at most 1%), 4 phrases, 3 filters with a word, 3 prefixes (distinct), 2 queries
    with no hits. The slow kinds: field filters (``title:`` a word and a phrase, ``author:``), one-letter
    prefixes (read as words), a two-letter prefix, phrases of common words, a tag plus a common word,
    exclusions only, state filters alone."""
    from articles.models import Article
    from articles.search._text import stop_words

    rng = random.Random(seed)
    sample = list(
        Article.objects.filter(user=user, language="en")
        .order_by("id")
        .values_list("title", "content_text")[:1500]
    )
    texts = [text for _title, text in sample]
    n = len(texts) or 1
    stop = stop_words("english")
    df: Counter[str] = Counter()
    short_df: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for text in texts:
        words = re.findall(r"[a-z]+", text.lower())
        df.update(set(w for w in words if len(w) >= 6))
        short_df.update(set(w for w in words if len(w) >= 4 and w not in stop))
        for a, b in itertools.pairwise(words):
            if len(a) >= 4 and len(b) >= 4 and a not in stop and b not in stop:
                bigrams[f"{a} {b}"] += 1
    title_df: Counter[str] = Counter()
    for title, _text in sample:
        title_df.update(set(w for w in re.findall(r"[a-z]+", title.lower()) if len(w) >= 5 and w not in stop))
    total = Article.objects.filter(user=user).count() or 1
    share_en = n and Article.objects.filter(user=user, language="en").count() / total
    # A word in ~20% of the whole library is in ~20%/share_en of the English sample.
    target = 0.2 / max(share_en, 0.05)
    # A search matches stems ("making" finds make, makes, making), so the raw words' frequencies only
    # shortlist: the common and rare words are chosen by what the search finds.
    common_pool = sorted(df, key=lambda w: (abs(df[w] / n - target), w))[:16]
    common = sorted(common_pool, key=lambda w: (abs(_hits(user, w) / total - 0.2), w))[:4]
    # Paragraphs recur across the recombined articles, so "rare" means the lowest document frequencies.
    rare_pool = [w for w in sorted(df, key=lambda w: (df[w], w))[:200] if 0 < _hits(user, w) <= 0.01 * total]
    rare = rng.sample(rare_pool, min(4, len(rare_pool)))
    phrase_pool = sorted(
        b for b, c in bigrams.items() if 3 <= c <= 30 and min(len(w) for w in b.split()) >= 5
    )
    phrases = [f'"{p}"' for p in rng.sample(phrase_pool, min(4, len(phrase_pool)))]
    mid = sorted(df, key=lambda w: (abs(df[w] / n - 0.05), w))[:3]
    filters = [f"tag:politics {mid[0]}", f"is:unread {mid[1]}", f"site:{_a_site(user)} {mid[2]}"]
    prefixes: list[str] = []
    for word in sorted(df, key=lambda w: (abs(df[w] / n - 0.1), w)):  # three different prefixes
        if word[:5] + "*" not in prefixes:
            prefixes.append(word[:5] + "*")
        if len(prefixes) == 3:
            break
    none = ["zzyzxqwv", '"purple elephants negotiate"']
    # Phrases of common words: the most frequent pairs of words that are each in 8% of the articles or more.
    common_words = {w for w, c in short_df.items() if c / n >= 0.08}
    common_pairs = [b for b, _c in bigrams.most_common() if set(b.split()) <= common_words][:2]
    title_word = title_df.most_common(1)[0][0] if title_df else common[0]
    title_pair = next(
        (b for b, _c in bigrams.most_common() if all(title_df[w] >= 3 for w in b.split())), "united states"
    )
    return (
        [("common", q) for q in common]
        + [("rare", q) for q in rare]
        + [("phrase", q) for q in phrases]
        + [("filter", q) for q in filters]
        + [("prefix", q) for q in prefixes]
        + [("none", q) for q in none]
        + [("title", f"title:{title_word}"), ("title", f'title:"{title_pair}"'), ("author", "author:smith")]
        + [("prefix1", "a*"), ("prefix1", "s*"), ("prefix2", "co*")]
        + [("cphrase", f'"{p}"') for p in common_pairs]
        + [("tagword", f"tag:politics {common[0]}")]
        + [
            ("exclude", f"-{common[1]}"),
            ("exclude", f'-"{common_pairs[0]}"' if common_pairs else "-zzyzxqwv"),
        ]
        + [("state", "is:unread"), ("state", "is:favorite")]
    )


def _hits(user, query: str) -> int:
    from articles.search import article_search_count

    return article_search_count(user=user, query=query, exact=True)  # the choice needs the true count


def _a_site(user) -> str:
    from articles.models import Article

    return (
        Article.objects.filter(user=user, language="en")
        .order_by("id")
        .values_list("site_name", flat=True)
        .first()
        or "example.com"
    )


def naive(user, query: str) -> list[tuple[int, float]]:
    """The naive ranked search in one statement: all matches ranked, top 20, with headlines on those."""
    from django.db import connection

    from articles.search import _postgres, _sqlite, search_query_parse
    from articles.search._common import base_where, user_configs, with_tag_ids

    parsed = search_query_parse(query)
    with connection.cursor() as cursor:
        parsed = with_tag_ids(cursor, user.pk, parsed)
        configs = user_configs(cursor, user.pk)
        where, params = base_where(user, parsed)
        if connection.vendor == "postgresql":
            tsquery = _postgres.tsquery_text(cursor, parsed, configs)
            cursor.execute(
                f"""
                SELECT t.id, t.rank, ts_headline(a.search_config::regconfig, a.content_text, %s::tsquery, %s)
                FROM (SELECT s.article_id AS id, a.saved_at,
                             ts_rank_cd('{_postgres.RANK_WEIGHTS}', s.search_vector, %s::tsquery) AS rank
                      FROM articles_search_doc s JOIN articles_article a ON a.id = s.article_id
                      WHERE {" AND ".join(where)} AND s.search_vector @@ %s::tsquery
                      ORDER BY rank DESC, a.saved_at DESC, a.id DESC LIMIT 20) t
                JOIN articles_article a ON a.id = t.id
                ORDER BY t.rank DESC, t.saved_at DESC, t.id DESC
                """,
                [tsquery, _postgres.HEADLINE_OPTIONS, tsquery, *params, tsquery],
            )
        else:
            positive = _sqlite.read(parsed, configs).positive
            if not positive:
                return []
            cursor.execute(
                f"""
                SELECT a.id, -{_sqlite.BM25} AS rank, snippet(articles_search, 2, '[', ']', ' … ', 24)
                FROM articles_search s JOIN articles_article a ON a.id = s.rowid
                WHERE articles_search MATCH %s AND {" AND ".join(where)}
                ORDER BY rank DESC, a.saved_at DESC, a.id DESC LIMIT 20
                """,
                [positive, *params],
            )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def overlap(folio: list[tuple[int, float]], reference: list[tuple[int, float]]) -> float:
    """Share of ``folio``'s ids found in ``reference`` (an id whose rank ties the reference's last counts)."""
    if not reference:
        return 1.0 if not folio else 0.0
    ids = {i for i, _ in reference}
    floor = min(r for _, r in reference)
    hits = sum(1 for i, r in folio if i in ids or (len(reference) >= 20 and abs(r - floor) < 1e-6))
    return hits / max(len(folio), 1)


def _backend_cpu_ms() -> float | None:
    """CPU time of this connection's PostgreSQL backend (ms, from /proc), or None (SQLite, remote server)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    pid = getattr(connection, "_bench_backend_pid", None)
    if pid is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = connection._bench_backend_pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def run(
    user, *, repeats: int = 20, naive_repeats: int = 3, client=None, skip: tuple[str, ...] = ()
) -> list[QueryResult]:
    """Time every query ``repeats`` times (after one warm-up) as a request, with the app's and the database
    backend's CPU time, and ``naive_repeats`` times as naive SQL."""
    from django.test import Client
    from library_builder import load_average

    from articles.search import article_search

    if client is None:
        client = Client()
        client.force_login(user)
    results = []
    for kind, query in queries_choose(user):
        if kind in skip or any(word in query for word in skip if not word.isalpha()):
            continue
        page = article_search(user=user, query=query)
        folio_top = [(a.pk, a.rank) for a in page.results]
        reference = naive(user, query)
        folio_times, cpu_times, db_times, naive_times = [], [], [], []
        for i in range(repeats + 1):
            db0 = _backend_cpu_ms()
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get("/search/", {"q": query}, HTTP_HX_REQUEST="true")
            folio_times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            db1 = _backend_cpu_ms()
            db_times.append(db1 - db0 if db0 is not None and db1 is not None else None)
            assert response.status_code == 200, response.status_code
            if i <= naive_repeats:
                start = time.perf_counter()
                naive(user, query)
                naive_times.append((time.perf_counter() - start) * 1000)
        folio_times, cpu_times, db_times, naive_times = (
            folio_times[1:],
            cpu_times[1:],
            db_times[1:],
            naive_times[1:],
        )
        results.append(
            QueryResult(
                kind,
                query,
                page.count,
                statistics.median(folio_times),
                _percentile(folio_times, 95),
                statistics.median(naive_times),
                _percentile(naive_times, 95),
                overlap(folio_top, reference) if page.ranked else 1.0,
                statistics.median(cpu_times),
                statistics.median(db_times) if None not in db_times else None,
                load_average().split()[0],
                page.count_capped,
            )
        )
    return results


def report(results: list[QueryResult], *, articles: int, engine: str) -> str:
    """The table of one run: per query, hits, request p50/p95, the app's and the database's CPU p50, the
    naive SQL's p50/p95, their ratio, the top-20 overlap and the 1-minute load average after it; then the
    worst p95 by kind."""
    from library_builder import load_average

    lines = [
        f"Search benchmark: {articles} articles on {engine}; times in ms (whole request vs naive SQL); "
        f"load average {load_average()} on {os.cpu_count()} CPUs",
        f"{'kind':8} {'query':30} {'hits':>7} {'p50':>7} {'p95':>7} {'appCPU':>7} {'dbCPU':>7} {'naive50':>8} "
        f"{'naive95':>8} {'ratio':>6} {'overlap':>7} {'load':>5}",
    ]
    for r in results:
        ratio = r.naive_p50 / r.folio_p50 if r.folio_p50 else 0
        db = f"{r.db_cpu_p50:7.1f}" if r.db_cpu_p50 is not None else f"{'-':>7}"
        lines.append(
            f"{r.kind:8} {r.query[:30]:30} {str(r.hits) + ('+' if r.capped else ''):>7} {r.folio_p50:7.1f} {r.folio_p95:7.1f} {r.app_cpu_p50:7.1f} "
            f"{db} {r.naive_p50:8.1f} {r.naive_p95:8.1f} {ratio:5.1f}x {r.overlap:7.0%} {r.load:>5}"
        )
    all_p95 = max(r.folio_p95 for r in results)
    mean_overlap = statistics.mean(r.overlap for r in results)
    lines.append(
        f"worst p95 {all_p95:.1f} ms; mean top-20 overlap with the naive full ranking {mean_overlap:.0%}; "
        f"lowest {min(r.overlap for r in results):.0%}"
    )
    for kind in dict.fromkeys(r.kind for r in results):
        rows = [r for r in results if r.kind == kind]
        lines.append(
            f"  {kind:8} p95 {max(r.folio_p95 for r in rows):7.1f} ms  naive p50 "
            f"{statistics.median(r.naive_p50 for r in rows):7.1f} ms  overlap {min(r.overlap for r in rows):.0%}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--repeats", type=int, default=20, help="timed runs per query (p95 of 20 is the 19th)"
    )
    parser.add_argument("--naive-repeats", type=int, default=3, help="timed runs of the naive SQL per query")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated kinds (or a character such as '\"' for phrases) to leave out",
    )
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--use-existing", action="store_true", help="time the library as it is, whatever its size"
    )
    args = parser.parse_args()
    from library_builder import database_prepare, library_build, load_average, server_cpu_seconds

    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        # A checkout where collectstatic never ran: read static files from the app folders (as
        # bench/library_bench.py does) instead of answering 500 for a missing manifest entry.
        os.environ.setdefault("FOLIO_STATIC_FINDERS", "true")
    database_prepare()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="bench")
    have = user.articles.count()
    if args.use_existing:
        args.articles = have
    elif args.rebuild or have != args.articles:
        with connection.cursor() as cursor:  # the benchmark database holds only the benchmark library
            if connection.vendor == "postgresql":
                cursor.execute(
                    "TRUNCATE articles_article, articles_article_tags, articles_articlesource CASCADE"
                )
            else:
                cursor.execute("DELETE FROM articles_article_tags")
                cursor.execute("DELETE FROM articles_article")
        start, cpu, db_cpu = time.perf_counter(), time.process_time(), server_cpu_seconds()
        sys.stderr.write(f"load average before the build: {load_average()}\n")
        library_build(
            user=user,
            n=args.articles,
            fast=True,
            defer_indexes=True,
            progress=lambda k: sys.stderr.write(f"\r  built {k}/{args.articles}"),
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum does after a bulk load
                for table in ("articles_article", "articles_search_doc", "articles_article_tags"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
        else:  # one b-tree per term, as a migration leaves an existing library (articles.search.schema)
            from articles.search.schema import sqlite_optimize

            with connection.cursor() as cursor:
                sqlite_optimize(cursor)
        db_cpu = (server_cpu_seconds() or 0) - (db_cpu or 0)
        sys.stderr.write(
            f"\nlibrary of {args.articles} built in {time.perf_counter() - start:.0f} s wall, "
            f"{time.process_time() - cpu:.0f} s CPU here + {db_cpu:.0f} s database CPU; "
            f"load average after: {load_average()}\n"
        )
    if args.build_only:
        return
    sys.stdout.write(
        report(
            run(
                user,
                repeats=args.repeats,
                naive_repeats=args.naive_repeats,
                skip=tuple(k for k in args.skip.split(",") if k),
            ),
            articles=args.articles,
            engine=connection.vendor,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
