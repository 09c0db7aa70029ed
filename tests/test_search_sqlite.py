"""Search cases from the SQLite work: prefixes the stemmer changes, the owner token in the FTS5 table, rank
ties past the page, the migrations that rebuild the FTS5 table. Those that are about behaviour run on both
engines; those about FTS5's own objects check PostgreSQL's counterparts there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles import search, services
from articles.migrations import _search_v1
from articles.models import Article
from articles.search import article_search, schema
from tests.test_search import make

pytestmark = pytest.mark.django_db

SQLITE = "sqlite"


def ids(query, user, **kwargs):
    return [a.pk for a in article_search(user=user, query=query, **kwargs).results]


@pytest.fixture
def analysis(user):
    return {
        "analysis": make(user, "Data", "A careful analysis of the figures."),
        "analyze": make(user, "Method", "We analyze the samples twice."),
        "analytics": make(user, "Tools", "Web analytics platforms compared."),
        "other": make(user, "Clock", "An analog clock and a canal."),
    }


def test_prefix_the_stemmer_would_change_finds_the_words_as_typed(user, analysis):
    """FTS5 stems a prefix ("analy" → "anali"); Folio matches it as typed, like PostgreSQL."""
    found = set(ids("analy*", user))
    assert found == {analysis["analysis"].pk, analysis["analyze"].pk, analysis["analytics"].pk}
    page = article_search(user=user, query="analy*")
    assert page.count == 3 and all("<mark>" in a.headline for a in page.results)


def test_prefix_in_title_excluded_and_with_other_words(user, analysis):
    engines = make(user, "Analytical engines", "Babbage designed it.")
    assert ids("title:analy*", user) == [engines.pk]
    assert ids("-analy*", user) == [analysis["other"].pk]
    assert ids("analy* samples", user) == [analysis["analyze"].pk]
    assert set(ids("analy* -samples", user)) == {
        analysis["analysis"].pk,
        analysis["analytics"].pk,
        engines.pk,
    }
    assert len(ids("clock OR analy*", user)) == 5


def test_prefix_the_stemmer_leaves_alone(user, analysis):
    assert ids("clo*", user) == [analysis["other"].pk]
    assert set(ids("ana*", user)) == {a.pk for a in analysis.values()}


def test_prefix_also_finds_what_the_stem_finds(user):
    """A prefix whose stem differs finds both: "happy*" finds "happy" and "happiness" (indexed as happi)."""
    happy = make(user, "Mood", "A happy ending.")
    happiness = make(user, "Essay", "On happiness.")
    assert set(ids("happy*", user)) == {happy.pk, happiness.pk}


@pytest.mark.parametrize("alone", [True, False], ids=["sole user", "two users"])
def test_typed_owner_token_finds_only_text(user, other_user, alone):
    """A word that reads as an owner token ("u7", "U7", "ụ7", "u*") matches the text, not the owner column."""
    mine = make(user, "Mine", "plain words")
    tagged = make(user, f"Band u{user.pk}", "concert notes")
    if not alone:
        make(other_user, "Theirs", "more words")
    queries = [f"u{user.pk}", f"U{user.pk}", f"u{user.pk}*"]
    if connection.vendor == "sqlite":  # FTS5 folds diacritics; PostgreSQL's configurations do not
        queries.append(f"ụ{user.pk}")
    for query in queries:
        assert ids(query, user) == [tagged.pk], query
    narrowed = article_search(user=user, query="u*")  # one letter: read as the word "u", with a notice
    assert narrowed.results == [] and narrowed.notices and "u*" in narrowed.notices[0]
    assert ids(f"u{other_user.pk}", user) == []
    assert ids(f"words -u{user.pk}", user) == [mine.pk]
    assert ids(f"-u{user.pk}", user) == [mine.pk]
    assert set(ids(f"words OR u{user.pk}", user)) == {mine.pk, tagged.pk}
    assert len(ids("words", user)) == 1


def test_deleted_then_restored_article_is_found_again(user):
    article = make(user, "Gone", "ephemeral words")
    services.article_delete_bulk(user=user, ids=[article.pk])
    assert ids("ephemeral", user) == [] and article_search(user=user, query="ephemeral").count == 0
    services.article_restore_bulk(user=user, ids=[article.pk])
    assert ids("ephemeral", user) == [article.pk]


def test_deleted_article_leaves_the_index_and_comes_back_up_to_date(user):
    """SQLite drops a deleted article's FTS5 row and writes it again on restore; PostgreSQL keeps the search
    row, flagged deleted, and keeps it up to date."""
    article = make(user, "Gone", "ephemeral words")

    def indexed():
        with connection.cursor() as cursor:
            if connection.vendor == SQLITE:
                cursor.execute("SELECT meta, owner FROM articles_search WHERE rowid = %s", [article.pk])
                return cursor.fetchone()
            cursor.execute(
                "SELECT d.search_vector::text, d.deleted, d.user_id FROM articles_search_doc d "
                "WHERE d.article_id = %s",
                [article.pk],
            )
            vector, deleted, owner = cursor.fetchone()
            return None if deleted else (vector, f"u{owner}")

    assert indexed()[1] == f"u{user.pk}"
    services.article_delete_bulk(user=user, ids=[article.pk])
    assert indexed() is None
    Article.objects.filter(pk=article.pk).update(title="Gone adrift")  # edits while deleted stay out
    services.article_tags_set(article=article, names=["kept"])
    assert indexed() is None
    services.article_restore_bulk(user=user, ids=[article.pk])
    assert "kept" in indexed()[0]
    assert ids("tag:kept ephemeral", user) == [article.pk] and ids("title:adrift", user) == [article.pk]


@pytest.mark.parametrize("alone", [True, False], ids=["sole user", "two users"])
def test_counts_only_the_users_live_articles(user, other_user, alone):
    for i in range(0 if alone else 3):
        make(other_user, f"Theirs {i}", "nebula")
    mine = [make(user, f"Mine {i}", "nebula") for i in range(4)]
    Article.objects.filter(pk=mine[0].pk).update(deleted_at=timezone.now())
    page = article_search(user=user, query="nebula")
    assert page.count == 3 and {a.pk for a in page.results} == {a.pk for a in mine[1:]}
    assert search.article_search_count(user=user, query="nebula") == 3
    assert search.article_search_count(user=user, query="nebula -tag:x") == 3


def test_rank_ties_past_the_page_are_newest_first(user):
    """More tied articles than the page and the slack: pages follow saved_at, newest first."""
    now = timezone.now()
    made = []
    for i in range(45):
        article = make(user, "Same", "identical body about lighthouses")
        Article.objects.filter(pk=article.pk).update(saved_at=now - timedelta(hours=(i * 7) % 45))
        made.append(article)
    newest = [a.pk for a in Article.objects.filter(pk__in=[a.pk for a in made]).order_by("-saved_at", "-id")]
    pages = [ids("lighthouses", user, page=p) for p in (1, 2, 3)]
    assert pages[0] == newest[:20] and pages[1] == newest[20:40] and pages[2] == newest[40:]
    assert article_search(user=user, query="lighthouses", page=3).count == 45


def test_migration_rebuilds_the_search_index(user):
    """SQLite, migration 0007: the Porter-stemmed FTS5 table of migration 0006 is rebuilt to hold each
    article's own language's stems, triggers on. PostgreSQL, migration 0004: a search table without the
    site column and the phrase-pair index gets both, its rows back-filled. Both from their frozen SQL."""
    import importlib

    kept = make(user, "Before", "seaweed harvest", site_name="Kelp Weekly", url="https://kelp.example/a")
    spanish = make(user, "Maratón", "Me gusta correr por el parque.", language="es")
    if connection.vendor != SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events, as in a migration
            cursor.execute(_search_v1.PG_PHRASE_UNINSTALL)
            cursor.execute("ALTER TABLE articles_search_doc DROP COLUMN site")
        migration = importlib.import_module("articles.migrations.0004_search_phrase_pairs")
        migration.install(None, connection.schema_editor())
        with connection.cursor() as cursor:
            cursor.execute("SELECT site FROM articles_search_doc WHERE article_id = %s", [kept.pk])
            assert cursor.fetchone()[0] == "kelp weekly kelp.example"
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'article_search_doc_pairs'")
            assert cursor.fetchone()
        after = make(user, "After", "seaweed harvest again", url="https://other.example/b")
        assert ids("site:kelp.example seaweed", user) == [kept.pk]
        assert set(ids('"seaweed harvest"', user)) == {kept.pk, after.pk}
        assert ids("corriendo", user) == [spanish.pk]
        return
    migration = importlib.import_module("articles.migrations.0008_sqlite_search_languages")
    migration.backwards(None, connection.schema_editor())  # the table of 0006: Porter for every language
    with connection.cursor() as cursor:
        assert not schema.sqlite_is_current(cursor)
        cursor.execute("SELECT count(*) FROM articles_search WHERE articles_search MATCH 'corr'")
        assert cursor.fetchone()[0] == 0
    migration.forwards(None, connection.schema_editor())
    with connection.cursor() as cursor:
        assert schema.sqlite_is_current(cursor)
        cursor.execute("SELECT body FROM articles_search WHERE rowid = %s", [spanish.pk])
        assert cursor.fetchone()[0].split() == ["\uf8ff", "gust", "corr", "\uf8ff", "\uf8ff", "parqu"]
    assert ids("seaweed", user) == [kept.pk] and ids("corriendo", user) == [spanish.pk]
    after = make(user, "After", "seaweed again")
    assert set(ids("seaweed", user)) == {kept.pk, after.pk}


def test_filtered_page_past_the_end_keeps_the_count(user):
    for i in range(3):
        make(user, f"Walrus {i}", "walrus colony")
    assert article_search(user=user, query="is:unread walrus").count == 3
    page = article_search(user=user, query="is:unread walrus", page=2)
    assert page.count == 3 and page.results == []
    assert search.article_search_count(user=user, query="is:unread walrus") == 3
    assert search.article_search_count(user=user, query="is:unread") == 3


def test_filter_index_is_put_back_after_migrate(user):
    """SQLite: a table remade by a migration loses the indexes Django does not know; post_migrate restores
    them. PostgreSQL keeps them (sqlite_ensure does nothing there): the search indexes are all in place."""
    if connection.vendor == SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX article_search_filter")
    schema.sqlite_ensure()
    with connection.cursor() as cursor:
        if connection.vendor == SQLITE:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_search_filter'")
            assert cursor.fetchone()
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname IN "
                "('article_search_doc_vector', 'article_search_rank_vector', 'article_search_doc_pairs')"
            )
            assert cursor.fetchone()[0] == 3
    make(user, "Kept", "tundra")
    assert len(ids("is:unread tundra", user)) == 1
