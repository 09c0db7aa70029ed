"""Retrying failed articles (reader button, library bulk action and API all call services.article_retry)."""

import pytest

from articles import services
from articles.models import Article
from tests.pageserver import SEED_DIR

pytestmark = pytest.mark.django_db


def _failed(user, url):
    article, _ = services.article_save_url(origin="form", user=user, url=url)
    assert services.article_process(article_id=article.pk) == Article.Status.FAILED
    return article


def test_failed_articles_retried_in_bulk_become_ready(user, page_server, django_capture_on_commit_callbacks):
    urls = [page_server.url(f"/later-{n}") for n in range(3)]
    articles = [_failed(user, url) for url in urls]
    seed = (SEED_DIR / "voz-russia-taliban.html").read_bytes()
    for n in range(3):
        page_server.add(f"/later-{n}", seed)  # the pages are back
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.article_retry(user=user, ids=[a.pk for a in articles]) == 3
    assert len(callbacks) == 3  # one task each, sent after commit
    for article in articles:
        article.refresh_from_db()
        assert (
            article.status == Article.Status.QUEUED and article.failure_reason == "" and article.attempts == 0
        )
        assert services.article_process(article_id=article.pk) == Article.Status.READY


def test_retry_ignores_other_users_and_articles_being_fetched(user, other_user, page_server):
    mine = _failed(user, page_server.url("/gone-1"))
    theirs = _failed(other_user, page_server.url("/gone-2"))
    busy, _ = services.article_save_url(origin="form", user=user, url=page_server.url("/busy-1"))
    Article.objects.filter(pk=busy.pk).update(status=Article.Status.FETCHING)
    assert services.article_retry(user=user, ids=[mine.pk, theirs.pk, busy.pk, 999999]) == 1
    theirs.refresh_from_db()
    busy.refresh_from_db()
    assert theirs.status == Article.Status.FAILED and busy.status == Article.Status.FETCHING


def test_retry_after_max_attempts_starts_counting_again(user, page_server, settings):
    settings.FOLIO_MAX_ATTEMPTS = 1
    page_server.add("/flaky-retry", "down", status=503)
    article = _failed(user, page_server.url("/flaky-retry"))
    page_server.add("/flaky-retry", (SEED_DIR / "voz-russia-taliban.html").read_bytes())
    services.article_retry(user=user, ids=[article.pk])
    assert services.article_process(article_id=article.pk) == Article.Status.READY
