"""A feed polled by a real Celery worker: subscribe through the API, the worker polls the feed and fetches
and extracts its entries; the articles end ready."""

from __future__ import annotations

import pytest

from articles.models import Article
from feeds.models import Feed, FeedEntry
from tests.feeds.feeddocs import ConditionalFeed, rss
from tests.pageserver import CORPUS_DIR, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_poll_through_the_worker_ends_with_ready_articles(
    api_client, user, page_server, celery_worker_process
):
    corpus = sorted(p.name.removesuffix(".html.gz") for p in (CORPUS_DIR / "html").glob("*.html.gz"))[0]
    entries = [
        ("seed", page_server.url("/seed/voz-russia-taliban.html")),
        ("corpus", page_server.url(f"/corpus/{corpus}.html")),
    ]
    doc = ConditionalFeed(page_server, "/worker/feed.xml", rss(entries), "application/rss+xml")
    response = api_client.post("/api/feeds/", {"url": doc.url, "tags": ["from-feed"]}, format="json")
    assert response.status_code == 201, response.content
    feed_id = response.json()["id"]

    def done():
        articles = Article.objects.filter(user=user, origin="feed")
        return articles.count() == 2 and all(a.status in ("ready", "failed") for a in articles)

    assert wait_for(done, timeout=120), celery_worker_process.log()[-3000:]
    articles = list(Article.objects.filter(user=user, origin="feed"))
    assert all(a.status == "ready" for a in articles), [a.failure_reason for a in articles]
    assert all(a.content_text for a in articles)
    assert {t.name for a in articles for t in a.tags.all()} == {"from-feed"}
    feed = Feed.objects.get(pk=feed_id)
    assert feed.last_success_at is not None and feed.etag == doc.etag
    assert set(FeedEntry.objects.filter(feed=feed).values_list("article_id", flat=True)) == {
        a.pk for a in articles
    }

    polls = len(doc.statuses)
    assert api_client.post(f"/api/feeds/{feed_id}/poll/").status_code == 202
    assert wait_for(lambda: len(doc.statuses) > polls, timeout=60), celery_worker_process.log()[-3000:]
    assert doc.statuses[-1] == 304
    assert Article.objects.filter(user=user).count() == 2

    # Beat's task finds the feed due and the worker brings the new entry.
    from django.utils import timezone

    from feeds.tasks import feeds_poll_due_task

    doc.set(rss([("new", page_server.url("/seed/voz-russia-taliban.html?from=feed")), *entries]))
    Feed.objects.filter(pk=feed_id).update(next_poll_at=timezone.now())
    assert feeds_poll_due_task() == 1

    def third_ready():
        articles = Article.objects.filter(user=user, origin="feed")
        return articles.count() == 3 and all(a.status in ("ready", "failed") for a in articles)

    assert wait_for(third_ready, timeout=120), celery_worker_process.log()[-3000:]
    assert Article.objects.filter(user=user, status="ready").count() == 3
