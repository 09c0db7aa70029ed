"""The one library builder of the benchmarks (search and library pages): real text, the rows production writes.

Text: paragraphs of the shared extraction corpus (``../shared/corpus/scrapinghub-aeb/ground-truth.json``,
181 pages in English, Russian, German, Portuguese, Indonesian, Korean, Italian, Japanese) recombined.
Paragraphs are grouped by the language py3langid finds for their page; each article takes one language
and draws paragraphs from it until it reaches a word count drawn from a log-normal law (median 800 words,
clipped to 200-5,000). Titles are the first words of a paragraph, sites the source pages' domains; states
(read, archived, favorite, half-read) and 0-2 tags per article are drawn at fixed rates. Deterministic for
a given seed.

How the rows are written:

- **SQLite, and PostgreSQL without ``fast``**: ``bulk_create`` of Article rows and their tag links; the
  database's own search triggers index every row, exactly as in production.
- **PostgreSQL with ``fast``** (100,000 and 1,000,000 articles): the search triggers are off during the
  load and ``INSERT … SELECT`` statements write the article rows, the search rows and the tag links
  themselves, two loaders in parallel. The body's vector is assembled from per-paragraph vectors computed
  once: ``to_tsvector`` of each paragraph under each configuration, padded to the number of positions the
  paragraph takes (trailing stop words included), concatenated with ``||`` (which shifts each vector by
  the last position of the one before) and the pad lexeme deleted: the positions are those of
  ``to_tsvector`` of the whole text, whose paragraphs are separated by a blank line. Articles where the
  assembly could differ (a lexeme that might pass 255 positions, or positions near 16,383, the limits of
  ``to_tsvector``) are parsed whole. Everything else is production's own SQL: ``articles_rank_vector``,
  ``articles_site_text``, tag names ordered as ``articles_tag_names`` orders them, weights A/B/C as in
  ``articles_search_vector``. ``tests/test_library_builder.py`` builds the same sample both ways and
  compares every column of the article, search and tag-link rows.
- With ``defer_indexes`` the search and article indexes (not the constraints) are dropped during the load
  and created again after it, from their own definitions, two at a time.
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "scrapinghub-aeb"

TAGS = [
    "politics",
    "science",
    "tech",
    "culture",
    "sport",
    "business",
    "health",
    "travel",
    "later",
    "long read",
]
#: Share of articles with 0, 1 and 2 tags.
TAG_COUNTS = (0.6, 0.3, 0.1)
AUTHORS = ["", "Ana Lima", "John Smith", "Olga Petrova", "Max Weber"]
#: The lexeme that pads a paragraph's vector to the positions it takes; no parser produces a lone space.
PAD = " "
#: A paragraph vector is assembled only while the article stays clear of to_tsvector's limits.
MAX_ASSEMBLED_POSITIONS = 16000
MAX_ASSEMBLED_COUNT = 250


@dataclass(frozen=True)
class Source:
    language: str
    domain: str
    paragraphs: tuple[str, ...]


def database_prepare(database_url: str | None = None) -> None:
    """Point Django at the bench database (``database_url`` or $DATABASE_URL), create it on PostgreSQL if
    it is missing, and migrate it."""
    import sys

    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _proc_cpu(pid: int, *, children: bool) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds() -> float | None:
    """CPU seconds used so far by the local PostgreSQL server's processes (the postmaster, its live
    children and those it has reaped), read from /proc; None for SQLite or a server on another machine.
    Two readings bracket a build or a run: their difference is the database's CPU time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        status = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        postmaster = int(status[1])
        kids = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return _proc_cpu(postmaster, children=True) + sum(_proc_cpu(int(k), children=False) for k in kids)
    except (OSError, ValueError, IndexError):
        return None


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes, as /proc/loadavg says (or '?')."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def corpus_sources() -> list[Source]:
    """The corpus pages as (language, domain, paragraphs); paragraphs shorter than 5 words are dropped."""
    import py3langid

    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    sources = []
    for item in truth.values():
        body = item.get("articleBody") or ""
        paragraphs = tuple(p.strip() for p in body.split("\n") if len(p.split()) >= 5)
        if not paragraphs:
            continue
        language = py3langid.classify(body)[0]
        domain = (urlsplit(item.get("url") or "").hostname or "example.com").removeprefix("www.")
        sources.append(Source(language, domain, paragraphs))
    return sources


def paragraph_table() -> list[tuple[int, str, str, str]]:
    """Every corpus paragraph as (id, language, domain, text), ids from 1."""
    rows = []
    for source in corpus_sources():
        for paragraph in source.paragraphs:
            rows.append((len(rows) + 1, source.language, source.domain, paragraph))
    return rows


def article_plans(n: int, *, seed: int = 1) -> tuple[list[tuple[int, str, str, str]], list[dict]]:
    """(paragraphs, ``n`` article plans: i, title, paragraph ids, words, language, site, author, states,
    tag names), deterministic per seed."""
    rng = random.Random(seed)
    paragraphs = paragraph_table()
    by_language: dict[str, list[tuple[int, str, str, str]]] = {}
    for row in paragraphs:
        by_language.setdefault(row[1], []).append(row)
    languages = sorted(by_language)
    lengths = {row[0]: len(row[3].split()) for row in paragraphs}  # counted once, not per draw
    # Mostly English, as the corpus is; every other language keeps a real share.
    weights = [0.7 if lang == "en" else 0.3 / (len(languages) - 1) for lang in languages]
    plans = []
    for i in range(n):
        language = rng.choices(languages, weights)[0]
        pool = by_language[language]
        target = int(min(5000, max(200, rng.lognormvariate(math.log(800), 0.7))))
        ids: list[int] = []
        words = 0
        while words < target:
            row = rng.choice(pool)
            ids.append(row[0])
            words += lengths[row[0]]
        home = rng.choice(pool)
        title_words = home[3].split()
        read = rng.random() < 0.4
        plans.append(
            {
                "i": i,
                "title": " ".join(title_words[: rng.randint(4, 12)]).rstrip(",.;:"),
                "paragraphs": ids,
                "words": words,
                "language": language,
                "site": home[2],
                "author": rng.choice(AUTHORS),
                "minutes_ago": rng.randint(0, 3 * 365 * 24 * 60),
                "archived": rng.random() < 0.3,
                "favorite": rng.random() < 0.05,
                "read": read,
                "progress": 50.0 if not read and rng.random() < 0.1 else 0.0,
                "tags": rng.sample(TAGS, rng.choices((0, 1, 2), TAG_COUNTS)[0]),
            }
        )
    return paragraphs, plans


def article_url(plan: dict, seed: int) -> str:
    """The address of a planned article (unique per seed and number)."""
    return f"https://{plan['site']}/bench/{seed}/{plan['i']}"


def library_build(
    *,
    user,
    n: int,
    seed: int = 1,
    batch: int = 500,
    progress=None,
    fast: bool = False,
    defer_indexes: bool = False,
    now=None,
) -> int:
    """Add ``n`` ready articles to ``user``'s library (tags ``TAGS``, created if missing); returns how many
    were written. ``fast`` and ``defer_indexes`` apply to PostgreSQL only (see the module docstring);
    ``progress(k)`` is called with the running count; saved dates lie up to 3 years before ``now``."""
    from django.db import connection
    from django.utils import timezone

    from articles.models import Tag
    from articles.search import search_config_for

    tags = {name: Tag.objects.get_or_create(user=user, name=name)[0] for name in TAGS}
    if n <= 0:
        return 0
    paragraphs, plans = article_plans(n, seed=seed)
    now = now or timezone.now()
    for plan in plans:
        plan["config"] = search_config_for(plan["language"])
        plan["saved"] = now - timedelta(minutes=plan["minutes_ago"])
        plan["url"] = article_url(plan, seed)
        plan["tag_ids"] = [tags[name].pk for name in plan["tags"]]
    if connection.vendor == "postgresql" and fast:
        with _indexes_deferred(defer_indexes):
            return _build_pg_fast(user, paragraphs, plans, batch=batch * 4, progress=progress)
    return _build_orm(user, paragraphs, plans, batch=batch, progress=progress)


def _article_fields(user, plan: dict, text: str) -> dict:
    """The article's column values as processing stores them (the same for both ways of writing)."""
    from articles.models import Article

    return {
        "user_id": user.pk,
        "url": plan["url"],
        "url_key": plan["url"],
        "final_url": plan["url"],
        "title": plan["title"],
        "site_name": plan["site"],
        "author": plan["author"],
        "language": plan["language"],
        "search_config": plan["config"],
        "content_text": text,
        "excerpt": text[:200],
        "word_count": plan["words"],
        "reading_time_minutes": Article.reading_time_for(plan["words"]),
        "status": Article.Status.READY,
        "attempts": 1,
        "created_at": plan["saved"],
        "updated_at": plan["saved"],
        "fetched_at": plan["saved"],
        "saved_at": plan["saved"],
        "is_archived": plan["archived"],
        "is_favorite": plan["favorite"],
        "read_at": plan["saved"] if plan["read"] else None,
        "progress_percent": plan["progress"],
    }


def _build_orm(user, paragraphs, plans, *, batch, progress) -> int:
    """bulk_create with the search triggers on: production's rows by construction."""
    from django.db import transaction

    from articles.models import Article

    text_of = {p[0]: p[3] for p in paragraphs}
    fields = {f: Article._meta.get_field(f) for f in ("created_at", "updated_at")}
    saved = {f: (field.auto_now, field.auto_now_add) for f, field in fields.items()}
    for field in fields.values():  # keep the spread-out dates
        field.auto_now = field.auto_now_add = False
    written = 0
    try:
        for first in range(0, len(plans), batch):
            chunk = plans[first : first + batch]
            articles = [
                Article(**_article_fields(user, plan, "\n\n".join(text_of[p] for p in plan["paragraphs"])))
                for plan in chunk
            ]
            with transaction.atomic():
                created = Article.objects.bulk_create(articles)
                if created and created[0].pk is None:  # backends without RETURNING ids
                    by_url = dict(
                        Article.objects.filter(user=user, url_key__in=[p["url"] for p in chunk]).values_list(
                            "url_key", "id"
                        )
                    )
                    pks = [by_url[p["url"]] for p in chunk]
                else:
                    pks = [a.pk for a in created]
                Article.tags.through.objects.bulk_create(
                    [
                        Article.tags.through(article_id=pk, tag_id=tag_id)
                        for pk, plan in zip(pks, chunk, strict=True)
                        for tag_id in plan["tag_ids"]
                    ]
                )
            written += len(chunk)
            if progress:
                progress(written)
    finally:
        for name, field in fields.items():
            field.auto_now, field.auto_now_add = saved[name]
    return written


# --- PostgreSQL, fast ------------------------------------------------------------------------------------

_TRIGGERS = [
    ("articles_article", "articles_article_search_insert"),
    ("articles_article_tags", "articles_article_tags_search_insert"),
]

#: Per paragraph and configuration: its vector (weight C) padded with PAD to the positions it takes,
#: the positions it takes (where a word after it would stand, less one) and its largest lexeme count.
_PARAGRAPH_VECTORS = r"""
UPDATE bench_paragraph p SET npos = x.npos, maxpos = x.maxpos, maxcount = x.maxcount, vec = x.vec
FROM (
    SELECT b.id, b.config, s.npos, m.maxpos, m.maxcount,
           CASE WHEN s.npos > m.maxpos
                THEN v.vec || format('%%s:%%s', quote_literal(%(pad)s), s.npos - m.maxpos)::tsvector
                ELSE v.vec END AS vec
    FROM bench_paragraph b,
         LATERAL (SELECT setweight(to_tsvector(b.config, b.text), 'C') AS vec) v,
         LATERAL (SELECT coalesce(max(pos), 0) AS maxpos, coalesce(max(cardinality(u.positions)), 0) AS maxcount
                  FROM unnest(v.vec) u LEFT JOIN LATERAL unnest(u.positions) pos ON true) m,
         LATERAL (SELECT max(pos) - 1 AS npos
                  FROM unnest(to_tsvector(b.config, b.text || E'\n\n' || %(sentinel)s)) u, unnest(u.positions) pos
                  WHERE u.lexeme = %(sentinel)s) s
) x
WHERE p.id = x.id AND p.config = x.config
"""
_SENTINEL = "987654321987654321"


def _build_pg_fast(user, paragraphs, plans, *, batch, progress) -> int:
    from django.db import connection

    configs = sorted({plan["config"] for plan in plans})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_paragraph")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_paragraph (id int, config regconfig, text text, vec tsvector, "
            "npos int, maxpos int, maxcount int, PRIMARY KEY (id, config))"
        )
        with cursor.connection.cursor().copy("COPY bench_paragraph (id, config, text) FROM STDIN") as copy:
            for pid, _lang, _domain, text in paragraphs:
                for config in configs:
                    copy.write_row((pid, config, text))
        cursor.execute(_PARAGRAPH_VECTORS, {"pad": PAD, "sentinel": _SENTINEL})
        cursor.execute("SELECT id, config::text, npos, maxcount FROM bench_paragraph")
        stats = {(pid, config): (npos, maxcount) for pid, config, npos, maxcount in cursor.fetchall()}
        cursor.execute(
            "CREATE OR REPLACE AGGREGATE bench_tsvector_agg (tsvector) "
            "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')"
        )
        cursor.execute("SELECT id, name FROM articles_tag WHERE user_id = %s", [user.pk])
    for plan in plans:
        npos = sum(stats[(p, plan["config"])][0] for p in plan["paragraphs"])
        count = sum(stats[(p, plan["config"])][1] for p in plan["paragraphs"])
        plan["assemble"] = npos < MAX_ASSEMBLED_POSITIONS and count < MAX_ASSEMBLED_COUNT
    with connection.cursor() as cursor:
        for table, trigger in _TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        written = _parallel(user, plans, batch=batch, progress=progress)
    finally:
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # a test's transaction: no pending foreign-key checks for ALTER
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, trigger in _TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute("DROP TABLE IF EXISTS bench_paragraph")
    return written


def _on_two_connections(work) -> None:
    """Run ``work(k)`` for k = 0 and 1 in two threads, each with its own database connection (closed
    after); re-raise the first error."""
    errors: list[BaseException] = []

    def run(k: int) -> None:
        from django.db import connection as own

        try:
            work(k)
        except BaseException as exc:  # re-raised below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _parallel(user, plans, *, batch, progress) -> int:
    """Two loaders (this machine has two cores), each on its own connection, alternate batches. In a
    test (inside a transaction the loaders cannot see) one loader runs on the caller's connection."""
    from django.db import connection

    if connection.in_atomic_block:
        return _insert_batches(user, plans, batch=batch, progress=progress)
    batches = [plans[i : i + batch] for i in range(0, len(plans), batch)]
    counts = [0, 0]
    lock = threading.Lock()

    def load(k: int) -> None:
        for chunk in batches[k::2]:
            _insert_batches(user, chunk, batch=batch, progress=None)
            with lock:
                counts[k] += len(chunk)
                if progress:
                    progress(sum(counts))

    _on_two_connections(load)
    return sum(counts)


_PLAN_COLUMNS = (
    "i int, url text, title text, site text, author text, language text, config regconfig, paragraphs int[], "
    "words int, saved timestamptz, archived bool, favorite bool, read bool, progress float8, "
    "tag_ids bigint[], assemble bool"
)


_SRC = r"""
    WITH src AS (
        SELECT p.*, body.text, tn.names,
               setweight(to_tsvector(p.config, coalesce(p.title, '')), 'A')
               || setweight(to_tsvector(p.config, concat_ws(' ', p.author, p.site, tn.names)), 'B')
               || CASE WHEN p.assemble THEN ts_delete(body.vec, %(pad)s)
                       ELSE setweight(to_tsvector(p.config, body.text), 'C') END AS vec
        FROM bench_plan p,
        LATERAL (SELECT string_agg(bp.text, E'\n\n' ORDER BY u.o) AS text,
                        bench_tsvector_agg(bp.vec ORDER BY u.o) AS vec
                 FROM unnest(p.paragraphs) WITH ORDINALITY AS u(pid, o)
                 JOIN bench_paragraph bp ON bp.id = u.pid AND bp.config = p.config) body,
        LATERAL (SELECT coalesce(string_agg(t.name, ' ' ORDER BY t.name), '') AS names
                 FROM articles_tag t WHERE t.id = ANY(p.tag_ids)) tn
    )"""
_REST = r"""
    , doc AS (
        INSERT INTO articles_search_doc (article_id, user_id, deleted, is_read, is_archived, is_favorite,
                                         saved_at, site, search_vector, tag_ids)
        SELECT ins.id, ins.user_id, false, ins.read_at IS NOT NULL, ins.is_archived, ins.is_favorite,
               ins.saved_at, articles_site_text(ins.site_name, ins.url, ins.final_url), src.vec,
               ARRAY(SELECT DISTINCT t.tag_id FROM unnest(src.tag_ids) AS t(tag_id) ORDER BY t.tag_id)
        FROM ins JOIN src ON ins.url = src.url
    )
    INSERT INTO articles_article_tags (article_id, tag_id)
    SELECT ins.id, t.tag_id FROM ins JOIN src ON ins.url = src.url, unnest(src.tag_ids) AS t(tag_id)
    """

#: Article columns written from the staged plan ``s`` (the rest get the field's default, as the ORM).
_FROM_PLAN = {
    "user_id": "%(user_id)s",
    "url": "s.url",
    "url_key": "s.url",
    "final_url": "s.url",
    "title": "s.title",
    "site_name": "s.site",
    "author": "s.author",
    "language": "s.language",
    "search_config": "s.config::text",
    "content_text": "s.text",
    "excerpt": "left(s.text, 200)",
    "word_count": "s.words",
    "reading_time_minutes": "ceil(s.words / %(words_per_minute)s::numeric)::int",
    "status": "%(status)s",
    "attempts": "1",
    "created_at": "s.saved",
    "updated_at": "s.saved",
    "fetched_at": "s.saved",
    "saved_at": "s.saved",
    "is_archived": "s.archived",
    "is_favorite": "s.favorite",
    "read_at": "CASE WHEN s.read THEN s.saved END",
    "progress_percent": "s.progress",
}


def _insert_statement(user) -> tuple[str, dict]:
    """The INSERT … SELECT for one staged batch and its constant parameters. Every concrete Article column
    is written: from the plan where ``_article_fields`` says, else the field's default as the ORM would
    store it (so a column added to the model needs no change here)."""
    from django.db import connection

    from articles.models import WORDS_PER_MINUTE, Article

    assert set(_FROM_PLAN) == set(_article_fields(user, _SAMPLE_PLAN, ""))
    params = {
        "user_id": user.pk,
        "status": Article.Status.READY,
        "pad": PAD,
        "words_per_minute": WORDS_PER_MINUTE,  # Article.reading_time_for
    }
    columns, selects = [], []
    for field in Article._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.attname in _FROM_PLAN:
            selects.append(_FROM_PLAN[field.attname])
        else:
            key = f"default_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            selects.append(f"%({key})s")
    sql = (
        _SRC
        + f"""
    , ins AS (
        INSERT INTO articles_article ({", ".join(columns)}, search_tags, search_rank_vector)
        SELECT {", ".join(selects)}, s.names, articles_rank_vector(s.vec)
        FROM src s ORDER BY s.i
        RETURNING id, url, user_id, read_at, is_archived, is_favorite, saved_at, site_name, final_url
    )"""
        + _REST
    )
    return sql, params


_SAMPLE_PLAN = {
    "i": 0,
    "url": "",
    "title": "",
    "site": "",
    "author": "",
    "language": "",
    "config": "simple",
    "words": 0,
    "saved": None,
    "archived": False,
    "favorite": False,
    "read": False,
    "progress": 0.0,
}


def _insert_batches(user, plans, *, batch, progress) -> int:
    from django.db import connection, transaction

    sql, params = _insert_statement(user)
    written = 0
    for first in range(0, len(plans), batch):
        chunk = plans[first : first + batch]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_plan")
            cursor.execute(f"CREATE TEMP TABLE bench_plan ({_PLAN_COLUMNS}) ON COMMIT DROP")
            with cursor.connection.cursor().copy("COPY bench_plan FROM STDIN") as copy:
                for r in chunk:
                    copy.write_row(
                        (
                            r["i"],
                            r["url"],
                            r["title"],
                            r["site"],
                            r["author"],
                            r["language"],
                            r["config"],
                            r["paragraphs"],
                            r["words"],
                            r["saved"],
                            r["archived"],
                            r["favorite"],
                            r["read"],
                            r["progress"],
                            r["tag_ids"],
                            r["assemble"],
                        )
                    )
            cursor.execute(sql, params)
        written += len(chunk)
        if progress:
            progress(written)
    return written


# --- deferred indexes ------------------------------------------------------------------------------------

_DEFERRED_TABLES = ("articles_article", "articles_search_doc", "articles_article_tags")


class _indexes_deferred:
    """Drop the plain indexes of the article, search and tag-link tables (not those behind constraints),
    and create them again from their saved definitions on exit, two at a time."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self):
        from django.db import connection

        if not self.enabled or connection.vendor != "postgresql" or connection.in_atomic_block:
            return self  # inside a transaction (a test) other connections could not build the indexes
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [list(_DEFERRED_TABLES)],
            )
            self.definitions = cursor.fetchall()
            for name, _sql in self.definitions:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc) -> None:
        if not self.definitions:
            return
        # The longest build first (the phrase-pair index: its expression costs about 0.7 ms of CPU per
        # article and PostgreSQL 15 builds a GIN index in one process), the other GIN indexes next, so that
        # the second connection builds all the others meanwhile.
        pending = sorted(
            self.definitions, key=lambda d: ("articles_phrase_pairs" not in d[1], "gin" not in d[1])
        )
        lock = threading.Lock()

        def worker(_k: int) -> None:
            from django.db import connection as own

            with own.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                while True:
                    with lock:
                        if not pending:
                            return
                        _name, sql = pending.pop(0)
                    cursor.execute(sql)

        _on_two_connections(worker)
