"""Feed subscriptions against a local feed server: subscribe, conditional polls, new entries, backoff,
autodiscovery, options, caps; each poll goes through the real fetch client and the real save service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from feeds import services
from feeds.models import Feed, FeedEntry
from tests.feeds.feeddocs import ConditionalFeed, atom, json_feed, rss

pytestmark = pytest.mark.django_db

KINDS = {
    "rss": (rss, "application/rss+xml"),
    "atom": (atom, "application/atom+xml"),
    "json": (json_feed, "application/feed+json"),
}


def _entries(server, prefix, numbers):
    return [(f"{prefix}-{n}", server.url(f"/{prefix}/post-{n}.html")) for n in numbers]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_subscribe_poll_twice_then_a_new_entry(kind, user, page_server):
    build, media_type = KINDS[kind]
    prefix = f"poll-{kind}"
    feed_doc = ConditionalFeed(
        page_server, f"/{prefix}/feed", build(_entries(page_server, prefix, [1, 2, 3])), media_type
    )
    feed = services.feed_subscribe(user=user, url=feed_doc.url, tags=["news"])
    assert feed.kind == kind and feed.title.startswith("Test")

    first = services.feed_poll(feed_id=feed.pk)
    assert len(first.created) == 3 and not first.not_modified and not first.error
    articles = Article.objects.filter(user=user, origin="feed")
    assert sorted(a.title for a in articles) == [
        "Entry " + e for e, _ in _entries(page_server, prefix, [1, 2, 3])
    ]
    assert all(a.status == "queued" for a in articles)
    assert {t.name for a in articles for t in a.tags.all()} == {"news"}
    feed.refresh_from_db()
    assert feed.etag == feed_doc.etag and feed.last_success_at is not None and feed.failures == 0
    assert FeedEntry.objects.filter(feed=feed, status="saved", article__isnull=False).count() == 3

    second = services.feed_poll(feed_id=feed.pk)
    assert second.not_modified and second.created == []
    assert feed_doc.statuses[-1] == 304 and feed_doc.requests[-1]["if-none-match"] == feed_doc.etag
    assert Article.objects.filter(user=user).count() == 3

    feed_doc.set(build(_entries(page_server, prefix, [4, 1, 2, 3])))
    third = services.feed_poll(feed_id=feed.pk)
    assert len(third.created) == 1
    assert Article.objects.get(pk=third.created[0]).url.endswith("/post-4.html")
    assert Article.objects.filter(user=user).count() == 4


def test_last_modified_alone_gives_a_304(user, page_server):
    feed_doc = ConditionalFeed(page_server, "/lm/feed", rss(_entries(page_server, "lm", [1])), "text/xml")
    feed = services.feed_subscribe(user=user, url=feed_doc.url)
    services.feed_poll(feed_id=feed.pk)
    Feed.objects.filter(pk=feed.pk).update(etag="")
    assert services.feed_poll(feed_id=feed.pk).not_modified
    assert feed_doc.requests[-1]["if-modified-since"] == feed_doc.last_modified


def test_a_broken_feed_backs_off_and_shows_its_error(user, page_server, settings, client_logged_in):
    settings.FOLIO_FEED_MAX_BACKOFF = 240
    feed_doc = ConditionalFeed(
        page_server, "/broken/feed", rss(_entries(page_server, "broken", [1])), "text/xml"
    )
    feed = services.feed_subscribe(user=user, url=feed_doc.url, interval=15)
    assert feed.interval == 15
    services.feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    succeeded = feed.last_success_at

    feed_doc.set(b"<rss><channel><title>half")  # not a feed any more
    feed_doc.content_type = "text/html"
    waits = []
    for _ in range(6):
        before = timezone.now()
        result = services.feed_poll(feed_id=feed.pk)
        feed.refresh_from_db()
        waits.append((feed.next_poll_at - before).total_seconds() / 60)
        assert result.error
    assert feed.failures == 6 and feed.last_success_at == succeeded
    assert "not an RSS, Atom or JSON feed" in feed.last_error
    assert [round(w) for w in waits] == [30, 60, 120, 240, 240, 240]
    page = client_logged_in.get(f"/feeds/{feed.pk}/").content.decode()
    assert "not an RSS, Atom or JSON feed" in page and "6" in page

    page_server.add("/broken/gone", status=404)
    Feed.objects.filter(pk=feed.pk).update(url=page_server.url("/broken/gone"))
    services.feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.last_error == "The server answered 404 Not Found." and feed.failures == 7

    feed_doc.set(rss(_entries(page_server, "broken", [1, 2])))
    feed_doc.content_type = "application/rss+xml"
    Feed.objects.filter(pk=feed.pk).update(url=feed_doc.url)
    result = services.feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert len(result.created) == 1 and feed.failures == 0 and feed.last_error == ""
    assert feed.last_success_at > succeeded


def test_autodiscovery_from_a_page(user, page_server):
    feed_doc = ConditionalFeed(
        page_server, "/disc/atom.xml", atom(_entries(page_server, "disc", [1])), "application/atom+xml"
    )
    page = page_server.add(
        "/disc/blog",
        '<html><head><title>Blog</title><link rel="stylesheet" href="/s.css">'
        '<link rel="alternate" type="application/atom+xml" title="Posts" href="atom.xml"></head><body>Hi</body></html>',
    )
    feed = services.feed_subscribe(user=user, url=page)
    assert feed.url == feed_doc.url and feed.kind == "atom"


def test_a_page_without_a_feed_is_refused(user, page_server):
    page = page_server.add("/nofeed/page", "<html><head><title>x</title></head><body>no feed</body></html>")
    with pytest.raises(services.FeedError, match="links no RSS"):
        services.feed_subscribe(user=user, url=page)
    assert not Feed.objects.exists()


def test_a_private_address_is_refused(user, settings):
    settings.FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(services.FeedError, match="private, local or reserved"):
        services.feed_subscribe(user=user, url="http://127.0.0.1:9/feed")


def test_following_twice_is_refused(user, page_server):
    feed_doc = ConditionalFeed(page_server, "/twice/feed", rss([]), "application/rss+xml")
    services.feed_subscribe(user=user, url=feed_doc.url)
    with pytest.raises(services.FeedError, match="already follow"):
        services.feed_subscribe(user=user, url=feed_doc.url)


def test_options_archive_and_query(user, page_server):
    entries = [
        ("q-1", page_server.url("/q/python-news.html")),
        ("q-2", page_server.url("/q/cooking.html")),
    ]
    body = rss(entries).replace(b"Entry q-1", b"Running Python faster").replace(b"Entry q-2", b"Baking bread")
    feed_doc = ConditionalFeed(page_server, "/q/feed", body, "application/rss+xml")
    feed = services.feed_subscribe(
        user=user, url=feed_doc.url, archive_on_arrival=True, match_query="run OR pythons -java"
    )
    result = services.feed_poll(feed_id=feed.pk)
    assert result.filtered == 1 and len(result.created) == 1
    article = Article.objects.get(pk=result.created[0])
    assert article.title == "Running Python faster" and article.is_archived
    assert FeedEntry.objects.get(feed=feed, status="filtered").article is None


def test_duplicates_are_linked_not_saved_again(user, page_server):
    from articles.services.saving import article_save_url

    url = page_server.url("/dup/post-1.html")
    existing, _created = article_save_url(user=user, url=url, origin="form")
    feed_doc = ConditionalFeed(page_server, "/dup/feed", rss([("dup-1", url)]), "application/rss+xml")
    feed = services.feed_subscribe(user=user, url=feed_doc.url)
    result = services.feed_poll(feed_id=feed.pk)
    assert result.created == [] and result.duplicates == 1
    entry = FeedEntry.objects.get(feed=feed)
    assert entry.status == "duplicate" and entry.article_id == existing.pk


def test_a_feed_with_100000_entries_is_handled_within_the_caps(user, page_server, settings):
    settings.FOLIO_FEED_MAX_NEW_ENTRIES = 50
    settings.FOLIO_FEED_MAX_ENTRIES = 500
    entries = [(str(n), page_server.url(f"/h/{n}")) for n in range(100_000)]
    items = "".join(f"<item><guid>{g}</guid><link>{u}</link><title>{g}</title></item>" for g, u in entries)
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>{items}</channel></rss>'.encode()
    assert len(body) > 8_000_000
    feed_doc = ConditionalFeed(page_server, "/huge/feed", body, "application/rss+xml")
    feed = services.feed_subscribe(user=user, url=feed_doc.url)
    result = services.feed_poll(feed_id=feed.pk)
    assert len(result.created) == 50 and result.over_cap == 450
    assert Article.objects.filter(user=user).count() == 50
    assert FeedEntry.objects.filter(feed=feed).count() == 500
    saved = set(Article.objects.filter(user=user).values_list("url", flat=True))
    assert saved == {u for _, u in entries[:50]}
    # The entries passed over are never saved later; the document's next entries are out of reach.
    feed_doc.set(body + b" ")
    assert services.feed_poll(feed_id=feed.pk).created == []


def test_poll_due_queues_due_feeds_only(user, page_server, monkeypatch):
    sent = []
    monkeypatch.setattr(services.enqueue, "feed_poll_enqueue", lambda feed_id: sent.append(feed_id) or True)
    feed_doc = ConditionalFeed(page_server, "/due/feed", rss([]), "application/rss+xml")
    due = services.feed_subscribe(user=user, url=feed_doc.url)
    later = services.feed_subscribe(user=user, url=feed_doc.url + "?2")
    paused = services.feed_subscribe(user=user, url=feed_doc.url + "?3")
    Feed.objects.filter(pk=later.pk).update(next_poll_at=timezone.now() + dt.timedelta(minutes=5))
    services.feed_set_paused(paused, True)
    assert services.feeds_poll_due() == 1 and sent == [due.pk]
    assert services.feeds_poll_due() == 0  # claimed: not queued twice
    due.refresh_from_db()
    assert due.next_poll_at > timezone.now() + dt.timedelta(minutes=59)


def test_unsubscribe_keeps_the_articles(user, page_server):
    feed_doc = ConditionalFeed(
        page_server, "/unsub/feed", rss(_entries(page_server, "unsub", [1, 2])), "application/rss+xml"
    )
    feed = services.feed_subscribe(user=user, url=feed_doc.url)
    services.feed_poll(feed_id=feed.pk)
    services.feed_delete(feed)
    assert not Feed.objects.exists() and not FeedEntry.objects.exists()
    assert Article.objects.filter(user=user, deleted_at__isnull=True).count() == 2


def test_beat_runs_the_due_feeds_task(settings):
    from reader.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["feeds-poll-due"]["task"] == "feeds.tasks.feeds_poll_due_task"
    app.loader.import_default_modules()
    assert {"feeds.tasks.feeds_poll_due_task", "feeds.tasks.feed_poll_task"} <= set(app.tasks)
