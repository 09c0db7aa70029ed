"""OPML round trip and billion laughs; the feed pages; the feeds API scoped per person."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article
from feeds import services
from feeds.models import Feed, FeedEntry
from feeds.queries import feed_articles, feed_list
from tests.factories import ArticleFactory
from tests.feeds.feeddocs import ConditionalFeed, rss

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><head><title>&lol9;</title></head><body>
<outline text="&lol9;" xmlUrl="https://example.com/feed"/></body></opml>"""

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>From another reader</title></head><body>
  <outline text="Tech">
    <outline text="Blog A" title="Blog A" type="rss" xmlUrl="https://a.example/feed.xml" htmlUrl="https://a.example/"/>
    <outline text="Blog B" type="rss" xmlUrl="https://b.example/atom" category="/deep/reading"/>
  </outline>
  <outline text="Loose" type="rss" xmlUrl="https://c.example/feed.json"/>
  <outline text="Bad" type="rss" xmlUrl="ftp://d.example/feed"/>
</body></opml>"""


def test_opml_round_trip(user, other_user):
    result = services.opml_import(user=user, data=OPML)
    assert len(result.added) == 3 and result.existing == 0
    assert [url for url, _ in result.failures] == ["ftp://d.example/feed"]
    feeds = {f.url: f for f in Feed.objects.filter(user=user)}
    assert feeds["https://a.example/feed.xml"].tags == ["Tech"]
    assert feeds["https://a.example/feed.xml"].site_url == "https://a.example/"
    assert feeds["https://b.example/atom"].tags == ["Tech", "reading"]
    assert all(f.next_poll_at is not None for f in feeds.values())

    exported = services.opml_export(user=user)
    again = services.opml_import(user=other_user, data=exported)
    theirs = {f.url: (f.title, f.tags, f.site_url) for f in Feed.objects.filter(user=other_user)}
    mine = {f.url: (f.title, f.tags, f.site_url) for f in Feed.objects.filter(user=user)}
    assert len(again.added) == 3 and theirs == mine
    assert services.opml_import(user=user, data=exported).existing == 3


def test_opml_billion_laughs_is_refused(user, client_logged_in):
    with pytest.raises(services.OpmlError, match="billion laughs"):
        services.opml_import(user=user, data=BILLION_LAUGHS)
    upload = SimpleUploadedFile("lol.opml", BILLION_LAUGHS, content_type="text/x-opml")
    response = client_logged_in.post("/feeds/opml/", {"file": upload}, follow=True)
    assert "billion laughs" in response.content.decode()
    assert not Feed.objects.exists()


def test_opml_not_xml_and_too_large(user, settings):
    with pytest.raises(services.OpmlError, match="not valid XML"):
        services.opml_import(user=user, data=b"<opml><body>")
    with pytest.raises(services.OpmlError, match="not an OPML"):
        services.opml_import(user=user, data=b"<rss/>")
    settings.FOLIO_FEED_OPML_MAX_BYTES = 100
    with pytest.raises(services.OpmlError, match="larger than"):
        services.opml_import(user=user, data=OPML)


def test_pages_subscribe_edit_pause_poll_unsubscribe(user, client_logged_in, page_server, monkeypatch):
    sent = []
    monkeypatch.setattr(services.enqueue, "feed_poll_enqueue", lambda feed_id: sent.append(feed_id) or True)
    doc = ConditionalFeed(
        page_server, "/pages/feed", rss([("p1", page_server.url("/pages/1"))]), "application/rss+xml"
    )
    assert client_logged_in.get("/feeds/").status_code == 200
    response = client_logged_in.post("/feeds/", {"url": doc.url, "tags": "a, b"})
    feed = Feed.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/feeds/{feed.pk}/"
    assert feed.tags == ["a", "b"] and feed.title == "Test RSS"

    bad = client_logged_in.post("/feeds/", {"url": page_server.url("/pages/none")})
    assert bad.status_code == 400 and "404 Not Found" in bad.content.decode()

    services.feed_poll(feed_id=feed.pk)
    page = client_logged_in.get(f"/feeds/{feed.pk}/").content.decode()
    assert "Entry p1" in page and "Last success" in page

    response = client_logged_in.post(
        f"/feeds/{feed.pk}/edit/",
        {
            "title": "Renamed",
            "tags": "c",
            "interval": "30",
            "archive_on_arrival": "on",
            "match_query": "python",
        },
    )
    assert response.status_code == 302
    feed.refresh_from_db()
    assert (feed.title, feed.tags, feed.interval, feed.archive_on_arrival, feed.match_query) == (
        "Renamed",
        ["c"],
        30,
        True,
        "python",
    )
    too_often = client_logged_in.post(f"/feeds/{feed.pk}/edit/", {"title": "x", "interval": "1"})
    assert too_often.status_code == 400

    client_logged_in.post(f"/feeds/{feed.pk}/pause/", {"paused": "1"})
    feed.refresh_from_db()
    assert feed.is_paused
    client_logged_in.post(f"/feeds/{feed.pk}/pause/", {"paused": "0"})
    feed.refresh_from_db()
    assert not feed.is_paused

    client_logged_in.post(f"/feeds/{feed.pk}/poll/")
    assert sent[-1] == feed.pk

    export = client_logged_in.get("/feeds/opml/export/")
    assert export["Content-Type"].startswith("text/x-opml") and doc.url.encode() in export.content

    client_logged_in.post(f"/feeds/{feed.pk}/delete/")
    assert not Feed.objects.exists() and Article.objects.filter(user=user).count() == 1


def test_pages_are_scoped(user, other_user, client_logged_in):
    theirs = Feed(user=other_user, url="https://x.example/feed", title="Secret feed")
    theirs.save()  # a row of another person, built directly as a factory would
    assert client_logged_in.get(f"/feeds/{theirs.pk}/").status_code == 404
    assert client_logged_in.post(f"/feeds/{theirs.pk}/delete/").status_code == 404
    assert "Secret feed" not in client_logged_in.get("/feeds/").content.decode()
    assert Feed.objects.filter(pk=theirs.pk).exists()


def test_api_is_scoped_per_person(user, other_user, api_client, page_server, monkeypatch):
    from rest_framework.test import APIClient

    from articles.services.account import api_token_create

    monkeypatch.setattr(services.enqueue, "feed_poll_enqueue", lambda feed_id: True)
    doc = ConditionalFeed(
        page_server, "/api/feed", rss([("a1", page_server.url("/api/1"))]), "application/rss+xml"
    )
    created = api_client.post("/api/feeds/", {"url": doc.url, "tags": ["x"], "interval": 20}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == doc.url and body["tags"] == ["x"] and body["interval"] == 20
    pk = body["id"]
    services.feed_poll(feed_id=pk)
    articles = api_client.get(f"/api/feeds/{pk}/articles/").json()
    assert [a["title"] for a in articles["results"]] == ["Entry a1"]
    patched = api_client.patch(f"/api/feeds/{pk}/", {"is_paused": True, "title": "T"}, format="json").json()
    assert patched["is_paused"] and patched["title"] == "T"
    assert api_client.post(f"/api/feeds/{pk}/poll/").status_code == 202
    assert api_client.post("/api/feeds/", {"url": doc.url}, format="json").status_code == 400
    assert b"<opml" in api_client.get("/api/feeds/opml/").content

    intruder = APIClient()
    intruder.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=other_user)[1]}")
    assert intruder.get("/api/feeds/").json() == []
    for method, path in (
        ("get", f"/api/feeds/{pk}/"),
        ("patch", f"/api/feeds/{pk}/"),
        ("delete", f"/api/feeds/{pk}/"),
        ("post", f"/api/feeds/{pk}/poll/"),
        ("get", f"/api/feeds/{pk}/articles/"),
    ):
        assert getattr(intruder, method)(path, {}, format="json").status_code == 404, (method, path)
    assert b"/api/feed" not in intruder.get("/api/feeds/opml/").content
    upload = SimpleUploadedFile("f.opml", OPML, content_type="text/x-opml")
    imported = intruder.post("/api/feeds/opml/", {"file": upload}, format="multipart").json()
    assert imported["added"] == 3 and len(imported["failures"]) == 1
    assert Feed.objects.filter(user=user).count() == 1
    lol = SimpleUploadedFile("lol.opml", BILLION_LAUGHS, content_type="text/x-opml")
    refused = intruder.post("/api/feeds/opml/", {"file": lol}, format="multipart")
    assert refused.status_code == 400 and "billion laughs" in refused.content.decode()
    assert api_client.delete(f"/api/feeds/{pk}/").status_code == 204
    assert Article.objects.filter(user=user).count() == 1


def test_feeds_are_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/feeds/",
        "/api/feeds/{id}/",
        "/api/feeds/{id}/poll/",
        "/api/feeds/{id}/articles/",
        "/api/feeds/opml/",
    ):
        assert path in schema, path


def test_the_list_counts_the_articles_the_feeds_page_lists(user, client_logged_in):
    """A feed whose entries were all in the library already (linked, status "duplicate") showed "0
    articles" on the list while its page listed them. The list counts the live articles the feed brought."""
    feed = Feed(user=user, url="https://x.example/feed", title="Counted feed")
    feed.save()  # built directly as a factory would
    new, known, also_known, gone = (ArticleFactory(user=user, ready=True) for _ in range(4))
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    for key, status, article in (
        ("a", FeedEntry.Status.SAVED, new),
        ("b", FeedEntry.Status.DUPLICATE, known),
        ("f", FeedEntry.Status.DUPLICATE, also_known),
        ("c", FeedEntry.Status.SAVED, gone),
        ("d", FeedEntry.Status.FILTERED, None),
        ("e", FeedEntry.Status.OVER_CAP, None),
    ):
        FeedEntry(feed=feed, key=key, status=status, article=article).save()
    assert feed_list(user=user).get(pk=feed.pk).saved_count == 3 == feed_articles(feed=feed).count()
    page = client_logged_in.get("/feeds/").content.decode()
    assert "3 articles" in page and "Counted feed" in page
