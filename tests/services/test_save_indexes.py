"""Saves stay flat in library size (issue 20): the duplicate check of a save is one query, and on
PostgreSQL it walks indexes, never the article table (asserted on the plan, not on time)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import Article
from articles.services.saving import duplicates_of
from articles.services.saving.many import duplicate_keys_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

#: Articles in the library of the EXPLAIN test: enough that a sequential scan would cost hundreds of pages.
LIBRARY_SIZE = 5_000


def _article_selects(queries) -> list[str]:
    return [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "articles_article"' in q["sql"]
    ]


def test_a_save_looks_for_duplicates_with_one_query(user, settings):
    settings.FOLIO_SAVE_RATE_PER_MINUTE = 0  # the save-rate check is a query of its own (test_save_rate.py)
    ArticleFactory(user=user, url="https://example.com/known", final_key="https://example.com/final")
    with CaptureQueriesContext(connection) as new:
        services.article_save_url(origin="api", user=user, url="https://example.com/new")
    with CaptureQueriesContext(connection) as again:
        article, created = services.article_save_url(origin="api", user=user, url="https://example.com/final")
    assert len(_article_selects(new.captured_queries)) == 1
    assert len(_article_selects(again.captured_queries)) == 1
    assert not created and article.url == "https://example.com/known"


@pytest.mark.postgres
def test_duplicate_check_uses_indexes_on_a_large_library(user, other_user, settings):
    """5,000 articles, a fifth with a final and a canonical address of their own: the plan of the
    duplicate check reads the three indexes (a BitmapOr, or index scans) and no sequential scan."""
    settings.FOLIO_SAVE_RATE_PER_MINUTE = 0  # the test saves faster than a person may
    rows = []
    for n in range(LIBRARY_SIZE):
        url = f"https://site{n % 50}.example/post/{n}"
        extra = {}
        if n % 5 == 0:
            extra = {"final_key": f"https://final.example/{n}", "canonical_key": f"https://canon.example/{n}"}
        rows.append(Article(user=user if n % 4 else other_user, url=url, url_key=url, **extra))
    Article.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    for key in ("https://site3.example/post/3", "https://final.example/10", "https://canon.example/15"):
        plan = duplicates_of(user=user, key=key).explain()
        assert "Seq Scan" not in plan, plan
        for index in ("article_unique_url_per_user", "article_user_final_key", "article_user_canonical_key"):
            assert index in plan, plan
    # The statement a save runs (prepared, articles.compiled) has a generic plan, for any key, that reads
    # the same three indexes: PostgreSQL need not plan it again on every save.
    from articles.services.saving import _DUPLICATES_CHECK

    _DUPLICATES_CHECK.fetch(user.pk, "https://site3.example/post/3")
    compiled = _DUPLICATES_CHECK._compiled[()]
    params = list(compiled.params)
    for index, position in compiled.slots:
        params[index] = (user.pk, "https://site3.example/post/3")[position]
    numbers = iter(range(1, len(params) + 1))
    statement = re.sub("%s", lambda _: f"${next(numbers)}", compiled.sql)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE folio_duplicate_check AS {statement}")
        try:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(
                f"EXPLAIN EXECUTE folio_duplicate_check({', '.join(['%s'] * len(params))})", params
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE folio_duplicate_check")
    assert "$2" in plan and "Seq Scan" not in plan, plan  # generic: the key is a parameter
    for index in ("article_unique_url_per_user", "article_user_final_key", "article_user_canonical_key"):
        assert index in plan, plan
    article, created = services.article_save_url(origin="api", user=user, url="https://canon.example/15")
    assert not created and article.url == "https://site15.example/post/15"
    # A batch's check (200 keys, as an import batch) finds the same rows; it repeats the partial indexes'
    # predicates so that PostgreSQL may use them for a long IN list (on a library this small it rightly
    # prefers to read the user's rows, so its plan is not asserted here).
    keys = [f"https://final.example/{n}" for n in range(0, 1000, 5)]
    assert len(duplicate_keys_of(user=user, keys=keys)) == 150  # the other quarter is the other user's
