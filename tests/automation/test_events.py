"""The domain events contract (articles.services.events): which service emits what, once per real change,
after the commit."""

import pytest

from articles import services
from articles.importers import ImportItem
from articles.models import Article
from articles.services.processing import extraction_from_content
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def names(events):
    return [e[0] for e in events]


def test_a_new_save_emits_saved_once_and_a_resave_nothing(user, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article, created = services.article_save_url(user=user, url="https://example.com/a", origin="form")
    assert created and events == [("article.saved", user.pk, article.pk, None)]
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save_url(user=user, url="https://example.com/a", origin="form")
    assert len(events) == 1


def test_nothing_is_sent_before_the_commit(user, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_save_url(user=user, url="https://example.com/b", origin="api")
        assert events == []
    assert callbacks  # sent only when the transaction commits


def test_ready_is_emitted_by_store_extraction(user, events, django_capture_on_commit_callbacks):
    article = ArticleFactory(user=user, status=Article.Status.FETCHING)
    content = extraction_from_content(html="<p>Hello world</p>", url=article.url, title="Hello")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_store_extraction(article=article, extraction=content)
    assert events == [("article.ready", user.pk, article.pk, None)]


def test_failed_is_emitted_once(user, events, django_capture_on_commit_callbacks):
    article = ArticleFactory(user=user, status=Article.Status.FETCHING)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_mark_failed(article_id=article.pk, reason="Gone.")
        services.article_mark_failed(article_id=article.pk, reason="Gone again.")
    assert events == [("article.failed", user.pk, article.pk, None)]


def test_archived_and_favorited_only_when_the_state_turns_on(
    user, events, django_capture_on_commit_callbacks
):
    a, b = ArticleFactory(user=user, ready=True), ArticleFactory(user=user, ready=True, archived=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_update(user=user, pk=a.pk, is_archived=True, is_favorite=True)
        services.article_update(user=user, pk=a.pk, is_archived=True, is_favorite=True)  # no-op
        services.article_update(user=user, pk=a.pk, is_archived=False)  # off: no event
    assert sorted(names(events)) == ["article.archived", "article.favorited"]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_archive_bulk(user=user, ids=[a.pk, b.pk])
        services.article_favorite_bulk(user=user, ids=[a.pk, b.pk])
    assert events == [
        ("article.archived", user.pk, a.pk, None),
        ("article.favorited", user.pk, b.pk, None),
    ]


def test_highlight_created_carries_the_highlight(user, events, django_capture_on_commit_callbacks):
    article = ArticleFactory(user=user, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        highlight = services.highlight_create(user=user, article_id=article.pk, quote="The text")
    assert events == [("highlight.created", user.pk, article.pk, highlight.pk)]


def test_the_bulk_door_emits_saved_for_each_and_ready_for_content(
    user, events, django_capture_on_commit_callbacks
):
    entries = [
        ImportItem(url="https://example.com/with", title="With", content_html="<p>Body text here</p>"),
        ImportItem(url="https://example.com/without", title="Without"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.article_save_many(user=user, entries=entries, origin="import", queue_fetch=False)
    with_id, without_id = result.created
    assert [e for e in events if e[0] == "article.saved"] == [
        ("article.saved", user.pk, with_id, None),
        ("article.saved", user.pk, without_id, None),
    ]
    assert [e for e in events if e[0] == "article.ready"] == [("article.ready", user.pk, with_id, None)]
