"""The benchmarks' builder writes what production writes. On PostgreSQL a sample built by the fast path
(search triggers off, vectors assembled from paragraph vectors, search rows and tag links inserted by the
builder) equals, column by column, the same sample inserted through the ORM with the triggers on. On SQLite
``fast`` falls back to that ORM insert (FTS5 triggers on): both builds write the same rows and the search
finds them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import library_builder

pytestmark = pytest.mark.django_db


def _article_rows(user) -> dict[str, dict]:
    """SQLite: every column of the user's article rows but ids and row times, and their tag names, by URL."""
    from articles.models import Article

    rows = {}
    for article in Article.objects.filter(user=user).prefetch_related("tags"):
        row = {f.attname: getattr(article, f.attname) for f in Article._meta.concrete_fields}
        for name in ("id", "user_id", "created_at", "updated_at"):
            row.pop(name, None)
        row["tags"] = sorted(tag.name for tag in article.tags.all())
        rows[article.url] = row
    return rows


def _rows(user) -> dict[str, dict]:
    """PostgreSQL: every column of the user's article rows, their search rows and tag names, by URL (ids left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT to_jsonb(a) - 'id' - 'user_id' || jsonb_build_object(
                       'search_rank_vector', a.search_rank_vector::text,
                       'doc', to_jsonb(d) - 'article_id' - 'user_id' - 'tag_ids'
                              || jsonb_build_object('search_vector', d.search_vector::text,
                                                    'tag_names', (SELECT coalesce(jsonb_agg(t.name ORDER BY u.o), '[]')
                                                                  FROM unnest(d.tag_ids) WITH ORDINALITY AS u(id, o)
                                                                  JOIN articles_tag t ON t.id = u.id)),
                       'tags', (SELECT coalesce(jsonb_agg(t.name ORDER BY t.name), '[]')
                                FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id
                                WHERE at.article_id = a.id))
            FROM articles_article a JOIN articles_search_doc d ON d.article_id = a.id
            WHERE a.user_id = %s
            """,
            [user.pk],
        )
        rows = [json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in cursor.fetchall()]
        return {row["url"]: row for row in rows}


def test_fast_build_equals_trigger_build_column_by_column(user, other_user, monkeypatch):
    postgres = connection.vendor == "postgresql"
    now = timezone.now()
    n = 240 if postgres else 80
    loaded = []
    if postgres:
        # A low limit sends some articles through the whole-text parse, so both ways of the fast path are compared.
        monkeypatch.setattr(library_builder, "MAX_ASSEMBLED_COUNT", 60)
        load = library_builder._parallel
        monkeypatch.setattr(
            library_builder, "_parallel", lambda u, plans, **kw: loaded.extend(plans) or load(u, plans, **kw)
        )
    assert library_builder.library_build(user=user, n=n, seed=3, fast=True, now=now) == n
    assert library_builder.library_build(user=other_user, n=n, seed=3, fast=False, now=now) == n
    rows = _rows if postgres else _article_rows
    fast, reference = rows(user), rows(other_user)
    assert len(fast) == len(reference) == n and fast.keys() == reference.keys()
    differences = [
        (url, column) for url, row in reference.items() for column in row if fast[url][column] != row[column]
    ]
    assert differences == []
    # The sample covers what the comparison must cover: several languages, tags, states.
    assert len({row["search_config"] for row in reference.values()}) >= 5
    assert any(row["tags"] for row in reference.values())
    assert any(row["is_archived"] for row in reference.values()) and any(
        row["read_at"] for row in reference.values()
    )
    if postgres:
        assembled = sum(plan["assemble"] for plan in loaded)
        assert 0.2 * n < assembled < n, assembled  # both ways of the fast path were compared
        assert all(row["doc"]["site"] for row in reference.values())
        with connection.cursor() as cursor:  # the search triggers are on again after the fast build
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'articles_%%search%%' AND tgenabled = 'D'"
            )
            assert cursor.fetchone()[0] == 0
    else:
        from articles.search import article_search

        word = max(next(iter(reference.values()))["title"].split(), key=len)
        assert article_search(user=user, query=word).count >= 1
