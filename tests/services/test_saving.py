"""Saving by URL and with browser HTML: validation, dedupe, tags, enqueue on commit."""

import pytest

from articles import services
from articles.errors import InvalidURLError, PageTooLargeError
from articles.models import Article

pytestmark = pytest.mark.django_db


def test_save_creates_queued_article_with_tags(user):
    article, created = services.article_save_url(
        user=user, url="https://example.com/a", tags=["News", " news ", "Long reads"]
    )
    assert created and article.status == "queued"
    assert sorted(t.name for t in article.tags.all()) == ["Long reads", "News"]


def test_same_url_returns_existing_and_moves_it_to_top(user):
    first, _ = services.article_save_url(user=user, url="https://example.com/a?utm_source=x")
    services.article_save_url(user=user, url="https://example.com/b")
    again, created = services.article_save_url(user=user, url="https://EXAMPLE.com/a#top", tags=["later"])
    assert not created and again.pk == first.pk
    assert Article.objects.filter(user=user).first().pk == first.pk
    assert [t.name for t in again.tags.all()] == ["later"]


def test_users_do_not_share_articles(user, other_user):
    a, _ = services.article_save_url(user=user, url="https://example.com/a")
    b, created = services.article_save_url(user=other_user, url="https://example.com/a")
    assert created and a.pk != b.pk


@pytest.mark.parametrize("url", ["", "not a url", "javascript:alert(1)", "ftp://example.com/x"])
def test_invalid_urls_rejected(user, url):
    with pytest.raises(InvalidURLError):
        services.article_save_url(user=user, url=url)
    assert not Article.objects.exists()


def test_enqueue_happens_on_commit(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.article_save_url(user=user, url="https://example.com/a")
    assert len(callbacks) == 1


def test_page_over_cap_refused(user, settings):
    settings.FOLIO_PAGE_MAX_BYTES = 1000
    with pytest.raises(PageTooLargeError, match="larger than"):
        services.article_save_page(user=user, url="https://example.com/a", html="x" * 2000)
    assert not Article.objects.exists()


def test_saving_a_failed_article_again_queues_it(user, django_capture_on_commit_callbacks):
    article, _ = services.article_save_url(user=user, url="https://example.com/a")
    Article.objects.filter(pk=article.pk).update(
        status="failed", failure_reason="The server answered 503.", attempts=5
    )
    with django_capture_on_commit_callbacks() as callbacks:
        again, created = services.article_save_url(user=user, url="https://example.com/a")
    assert not created and again.pk == article.pk and len(callbacks) == 1
    article.refresh_from_db()
    assert article.status == "queued" and article.failure_reason == "" and article.attempts == 0


def test_saving_a_ready_article_again_does_not_refetch(user, django_capture_on_commit_callbacks):
    article, _ = services.article_save_url(user=user, url="https://example.com/a")
    Article.objects.filter(pk=article.pk).update(status="ready")
    with django_capture_on_commit_callbacks() as callbacks:
        services.article_save_url(user=user, url="https://example.com/a")
    assert callbacks == []
