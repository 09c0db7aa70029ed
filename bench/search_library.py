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

TAGS = ["politics", "science", "tech", "culture", "sport", "business", "health", "travel", "later", "long read"]


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


def article_texts(n: int, *, seed: int = 1) -> list[dict]:
    """``n`` article dicts (title, text, language, site) recombined from the corpus, deterministic per seed."""
    rng = random.Random(seed)
    sources = corpus_sources()
    by_language: dict[str, list[Source]] = {}
    for source in sources:
        by_language.setdefault(source.language, []).append(source)
    languages = sorted(by_language)
    # Mostly English, as the corpus is; every other language keeps a real share.
    weights = [0.7 if lang == "en" else 0.3 / (len(languages) - 1) for lang in languages]
    out = []
    for _ in range(n):
        language = rng.choices(languages, weights)[0]
        pool = by_language[language]
        target = int(min(5000, max(200, rng.lognormvariate(math.log(800), 0.7))))
        paragraphs: list[str] = []
        words = 0
        while words < target:
            paragraph = rng.choice(rng.choice(pool).paragraphs)
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        home = rng.choice(pool)
        title_words = rng.choice(home.paragraphs).split()
        out.append(
            {
                "title": " ".join(title_words[: rng.randint(4, 12)]).rstrip(",.;:"),
                "paragraphs": paragraphs,
                "words": words,
                "language": language,
                "site": home.domain,
            }
        )
    return out


def library_build(*, user, n: int, seed: int = 1, batch: int = 500, progress=None) -> int:
    """Add ``n`` ready articles (about 10% tagged) to ``user``'s library; returns how many were written."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Tag
    from articles.search import search_config_for

    rng = random.Random(seed + 1)
    now = timezone.now()
    tags = [Tag.objects.get_or_create(user=user, name=name)[0] for name in TAGS]
    field = Article._meta.get_field("created_at")
    field.auto_now_add = False  # keep the spread-out dates below
    written = 0
    try:
        texts = article_texts(n, seed=seed)
        for start in range(0, n, batch):
            rows = []
            for i, item in enumerate(texts[start : start + batch], start=start):
                created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
                url = f"https://{item['site']}/bench/{seed}/{i}"
                rows.append(
                    Article(
                        user=user, url=url, url_key=url, title=item["title"], site_name=item["site"],
                        author=rng.choice(["", "Ana Lima", "John Smith", "Olga Petrova", "Max Weber"]),
                        language=item["language"], search_config=search_config_for(item["language"]),
                        content_text="\n\n".join(item["paragraphs"]),
                        content_html="".join(f"<p>{p}</p>" for p in item["paragraphs"]),
                        word_count=item["words"], reading_time_minutes=Article.reading_time_for(item["words"]),
                        status=Article.Status.READY, created_at=created, saved_at=created,
                        is_archived=rng.random() < 0.3, is_favorite=rng.random() < 0.05,
                        read_at=created if rng.random() < 0.4 else None,
                    )
                )
            with transaction.atomic():
                created_rows = Article.objects.bulk_create(rows)
                links = [
                    Article.tags.through(article_id=a.pk, tag_id=rng.choice(tags).pk)
                    for a in created_rows
                    if rng.random() < 0.1
                ]
                Article.tags.through.objects.bulk_create(links, ignore_conflicts=True)
            written += len(rows)
            if progress:
                progress(written)
    finally:
        field.auto_now_add = True
    return written
