"""Build a search benchmark library from real text: paragraphs of the shared extraction corpus recombined.

Source: ``shared/corpus/scrapinghub-aeb/ground-truth.json`` (181 pages, ``articleBody`` per page, English,
Russian, German, Portuguese, Indonesian, Korean, Italian, Japanese). Paragraphs are grouped by the language
py3langid finds for their page; each generated article takes one language and draws paragraphs from it until
it reaches a word count drawn from a log-normal law (median 800 words, clipped to 200-5,000). Titles are
the first words of a paragraph; sites are the source pages' domains. Deterministic for a given seed.

Articles are written with multi-row INSERTs (``bulk_create``, 500 rows a statement); the database's own
search triggers index them, exactly as in production.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "scrapinghub-aeb"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus/scrapinghub-aeb")

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


@dataclass(frozen=True)
class Source:
    language: str
    domain: str
    paragraphs: tuple[str, ...]


def corpus_sources() -> list[Source]:
    """The corpus pages as (language, domain, paragraphs); paragraphs shorter than 5 words are dropped."""
    import py3langid

    truth = json.loads((CORPUS / "ground-truth.json").read_text())
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
    """(paragraphs, ``n`` article plans: title, paragraph ids, words, language, site), deterministic per seed."""
    rng = random.Random(seed)
    paragraphs = paragraph_table()
    by_language: dict[str, list[tuple[int, str, str, str]]] = {}
    for row in paragraphs:
        by_language.setdefault(row[1], []).append(row)
    languages = sorted(by_language)
    # Mostly English, as the corpus is; every other language keeps a real share.
    weights = [0.7 if lang == "en" else 0.3 / (len(languages) - 1) for lang in languages]
    plans = []
    for _ in range(n):
        language = rng.choices(languages, weights)[0]
        pool = by_language[language]
        target = int(min(5000, max(200, rng.lognormvariate(math.log(800), 0.7))))
        ids: list[int] = []
        words = 0
        while words < target:
            row = rng.choice(pool)
            ids.append(row[0])
            words += len(row[3].split())
        home = rng.choice(pool)
        title_words = home[3].split()
        plans.append(
            {
                "title": " ".join(title_words[: rng.randint(4, 12)]).rstrip(",.;:"),
                "paragraphs": ids,
                "words": words,
                "language": language,
                "site": home[2],
            }
        )
    return paragraphs, plans


def library_build(*, user, n: int, seed: int = 1, batch: int = 500, progress=None, fast: bool = False) -> int:
    """Add ``n`` ready articles (about 10% tagged) to ``user``'s library; returns how many were written.

    PostgreSQL: the corpus paragraphs go to a staging table, then one ``INSERT … SELECT`` per batch joins
    them into articles. With ``fast`` (the 100k benchmark) the search triggers are switched off during the
    load and each article's ``search_vector`` is assembled from per-paragraph vectors computed once
    (``to_tsvector`` of each paragraph under the article's configuration, concatenated with ``||``: the same
    lexemes, counts and weights as the trigger's, positions offset at paragraph joins), then the compact
    ranking vector is computed by the same SQL function the trigger uses. Without ``fast`` the triggers
    index every row as in production. SQLite: multi-row INSERTs, the FTS5 triggers index every row.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Article, Tag
    from articles.search import search_config_for

    rng = random.Random(seed + 1)
    now = timezone.now()
    tags = [Tag.objects.get_or_create(user=user, name=name)[0] for name in TAGS]
    if n <= 0:
        return 0
    paragraphs, plans = article_plans(n, seed=seed)
    rows = []
    for i, plan in enumerate(plans):
        created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        rows.append(
            {
                **plan,
                "i": i,
                "config": search_config_for(plan["language"]),
                "author": rng.choice(["", "Ana Lima", "John Smith", "Olga Petrova", "Max Weber"]),
                "created": created,
                "archived": rng.random() < 0.3,
                "favorite": rng.random() < 0.05,
                "read": created if rng.random() < 0.4 else None,
                "tag": rng.choice(tags) if rng.random() < 0.1 else None,
            }
        )
    if connection.vendor == "postgresql":
        return _build_pg(user, seed, paragraphs, rows, batch=batch * 4, progress=progress, fast=fast)
    field = Article._meta.get_field("created_at")
    field.auto_now_add = False  # keep the spread-out dates
    text_of = {p[0]: p[3] for p in paragraphs}
    written = 0
    try:
        for first in range(0, n, batch):
            articles = []
            for row in rows[first : first + batch]:
                url = f"https://{row['site']}/bench/{seed}/{row['i']}"
                text = "\n\n".join(text_of[p] for p in row["paragraphs"])
                articles.append(
                    Article(
                        user=user,
                        url=url,
                        url_key=url,
                        title=row["title"],
                        site_name=row["site"],
                        author=row["author"],
                        language=row["language"],
                        search_config=row["config"],
                        content_text=text,
                        content_html="",
                        word_count=row["words"],
                        reading_time_minutes=Article.reading_time_for(row["words"]),
                        status=Article.Status.READY,
                        created_at=row["created"],
                        saved_at=row["created"],
                        is_archived=row["archived"],
                        is_favorite=row["favorite"],
                        read_at=row["read"],
                    )
                )
            with transaction.atomic():
                created_rows = Article.objects.bulk_create(articles)
                links = [
                    Article.tags.through(article_id=a.pk, tag_id=row["tag"].pk)
                    for a, row in zip(created_rows, rows[first : first + batch], strict=True)
                    if row["tag"] is not None
                ]
                Article.tags.through.objects.bulk_create(links)
            written += len(articles)
            if progress:
                progress(written)
    finally:
        field.auto_now_add = True
    return written


def _build_pg(user, seed, paragraphs, rows, *, batch, progress, fast) -> int:
    from django.db import connection

    configs = sorted({row["config"] for row in rows})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_paragraph")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_paragraph (id int, config regconfig, text text, vec tsvector)"
        )
        with cursor.connection.cursor().copy("COPY bench_paragraph (id, config, text) FROM STDIN") as copy:
            for pid, _lang, _domain, text in paragraphs:
                for config in configs:
                    copy.write_row((pid, config, text))
        if fast:  # per-paragraph vectors, assembled into article vectors below
            cursor.execute("UPDATE bench_paragraph SET vec = to_tsvector(config, text)")
        cursor.execute("CREATE INDEX ON bench_paragraph (id, config)")
        cursor.execute(
            "CREATE OR REPLACE AGGREGATE bench_tsvector_agg (tsvector) "
            "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')"
        )
    written = 0
    triggers = [
        ("articles_article", "articles_article_search_insert"),
        ("articles_article_tags", "articles_article_tags_search_insert"),
    ]
    if fast:
        with connection.cursor() as cursor:
            for table, trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        if fast:
            written = _insert_parallel(user, seed, rows, batch=batch, progress=progress)
        else:  # one connection: the rows stay in the caller's transaction (tests roll them back)
            written = _insert_batches(user, seed, rows, batch=batch, progress=progress, fast=False)
    finally:
        if fast:
            with connection.cursor() as cursor:
                for table, trigger in triggers:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_paragraph")
    return written


def _insert_parallel(user, seed, rows, *, batch, progress) -> int:
    """Two loaders (this machine has two cores), each on its own connection with half of the rows."""
    import threading

    half = (len(rows) + 1) // 2
    counts = [0, 0]
    errors: list[BaseException] = []

    def load(k: int, part: list[dict]) -> None:
        from django.db import connection as thread_connection

        try:
            counts[k] = _insert_batches(user, seed, part, batch=batch, progress=progress, fast=True)
        except BaseException as exc:  # re-raised below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=load, args=(k, part)) for k, part in enumerate([rows[:half], rows[half:]])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sum(counts)


def _insert_batches(user, seed, rows, *, batch, progress, fast) -> int:
    from django.db import connection, transaction

    written = 0
    for first in range(0, len(rows), batch):
        chunk = rows[first : first + batch]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_plan")
            cursor.execute(
                "CREATE TEMP TABLE bench_plan (i int, title text, site text, author text, language text, "
                "config regconfig, paragraphs int[], words int, created timestamptz, archived bool, favorite bool, "
                "read timestamptz, tag_id bigint, tag_name text) ON COMMIT DROP"
            )
            with cursor.connection.cursor().copy("COPY bench_plan FROM STDIN") as copy:
                for r in chunk:
                    copy.write_row(
                        (
                            r["i"],
                            r["title"],
                            r["site"],
                            r["author"],
                            r["language"],
                            r["config"],
                            r["paragraphs"],
                            r["words"],
                            r["created"],
                            r["archived"],
                            r["favorite"],
                            r["read"],
                            r["tag"].pk if r["tag"] else None,
                            r["tag"].name if r["tag"] else "",
                        )
                    )
            url = f"'https://' || p.site || '/bench/{seed}/' || p.i"
            vector = (
                "setweight(to_tsvector(p.config, p.title), 'A') || setweight(to_tsvector(p.config, "
                "concat_ws(' ', p.author, p.site, p.tag_name)), 'B') || body.vec"
                if fast
                else "NULL::tsvector"
            )
            doc = (
                """, doc AS (
                    INSERT INTO articles_search_doc (article_id, user_id, deleted, is_read, is_archived, is_favorite,
                                                     saved_at, search_vector)
                    SELECT ins.id, ins.user_id, false, ins.read_at IS NOT NULL, ins.is_archived, ins.is_favorite,
                           ins.saved_at, src.vec
                    FROM ins JOIN src ON ins.url = src.url
                )"""
                if fast
                else ""
            )
            cursor.execute(
                f"""
                WITH src AS (
                    SELECT p.*, {url} AS url, body.text, {vector} AS vec
                    FROM bench_plan p, LATERAL (
                        SELECT string_agg(bp.text, E'\\n\\n' ORDER BY u.o) AS text,
                               bench_tsvector_agg(bp.vec ORDER BY u.o) AS vec
                        FROM unnest(p.paragraphs) WITH ORDINALITY AS u(pid, o)
                        JOIN bench_paragraph bp ON bp.id = u.pid AND bp.config = p.config
                    ) body
                ), ins AS (
                    INSERT INTO articles_article (
                        user_id, url, url_key, final_url, canonical_url, final_key, canonical_key, title, author,
                        site_name, lead_image, excerpt, language, search_config, word_count, reading_time_minutes,
                        content_html, content_text, content_hash, extraction_log, status, failure_reason, source,
                        attempts, is_archived, is_favorite, read_at, progress_percent, progress_paragraph,
                        saved_at, created_at, updated_at, search_tags, search_rank_vector)
                    SELECT %s, src.url, src.url, '', '', '', '', src.title, src.author, src.site, '', '',
                           src.language, src.config::text, src.words, ceil(src.words / 238.0), '', src.text, '',
                           '{{}}', 'ready', '', 'fetch', 1, src.archived, src.favorite, src.read, 0, 0,
                           src.created, src.created, src.created, src.tag_name,
                           {"articles_rank_vector(src.vec)" if fast else "NULL"}
                    FROM src ORDER BY src.i
                    RETURNING id, url, user_id, read_at, is_archived, is_favorite, saved_at
                ){doc}
                INSERT INTO articles_article_tags (article_id, tag_id)
                SELECT ins.id, src.tag_id FROM ins JOIN src ON ins.url = src.url
                WHERE src.tag_id IS NOT NULL
                """,
                [user.pk],
            )
        written += len(chunk)
        if progress:
            progress(written)
    return written
