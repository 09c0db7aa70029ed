"""Contract tests of the wallabag v2 API's entry, tag and annotation endpoints: requests as wallabag's
documentation and its clients (KOReader, wallabag-client, the Android app) send them, answers compared
field by field with wallabag's (src/Entity/Entry.php serialized by JMS; tests/functional/Controller/Api
in wallabag's repository). Every write is checked through the row the services wrote; every endpoint
answers 404 for another person's entry."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.utils import timezone

from articles.models import Article, ArticleSource, Highlight, Tag
from compat.wallabag.render import url_hash
from tests.factories import ArticleFactory, HighlightFactory, TagFactory

pytestmark = pytest.mark.django_db

#: The keys of a wallabag entry (wallabag 2.6, GET /api/entries/{id}.json).
ENTRY_KEYS = {
    "is_archived",
    "is_starred",
    "user_name",
    "user_email",
    "user_id",
    "tags",
    "is_public",
    "id",
    "uid",
    "title",
    "url",
    "hashed_url",
    "origin_url",
    "given_url",
    "hashed_given_url",
    "archived_at",
    "content",
    "created_at",
    "updated_at",
    "published_at",
    "published_by",
    "starred_at",
    "annotations",
    "mimetype",
    "language",
    "reading_time",
    "domain_name",
    "preview_picture",
    "http_status",
    "headers",
    "_links",
}
WALLABAG_DATE = "%Y-%m-%dT%H:%M:%S%z"  # PHP's Y-m-d\TH:i:sO: 2016-09-08T11:55:58+0200


# --- information --------------------------------------------------------------------------------------


def test_version_and_info_are_open_and_accepted_by_clients(client):
    version = client.get("/api/version").json()
    assert isinstance(version, str) and tuple(map(int, version.split("."))) >= (2, 1, 1)
    assert client.get("/api/version.json").json() == version
    assert client.get("/api/info").json() == {
        "appname": "wallabag",
        "version": version,
        "allowed_registration": False,
    }


def test_user(wb, user):
    body = wb.get("/api/user.json").json()
    assert body["id"] == user.pk and body["username"] == "reader" and body["email"] == user.email
    assert set(body) == {"id", "username", "email", "name", "created_at", "updated_at"}


# --- one entry ----------------------------------------------------------------------------------------


def test_entry_fields_match_wallabags(wb, user):
    tag = TagFactory(user=user, name="Long Reads")
    article = ArticleFactory(
        user=user,
        ready=True,
        url="https://www.example.com/story",
        title="A story",
        author="Ada, Grace",
        language="en",
        published=dt.date(2016, 9, 8),
        lead_image="https://www.example.com/lead.jpg",
        is_favorite=True,
        is_archived=True,
        tags=[tag],
    )
    HighlightFactory(
        article=article, quote="The text", note="a note", anchor={"ranges": [{"start": "/p[1]"}]}
    )
    ArticleSource.objects.filter(article=article).delete()
    body = wb.get(f"/api/entries/{article.pk}.json").json()
    assert set(body) == ENTRY_KEYS
    assert body["id"] == article.pk and body["title"] == "A story"
    assert body["is_archived"] == 1 and body["is_starred"] == 1 and body["is_public"] is False
    assert body["url"] == body["given_url"] == "https://www.example.com/story"
    assert body["hashed_url"] == url_hash("https://www.example.com/story")
    assert body["tags"] == [{"id": tag.pk, "label": "Long Reads", "slug": "long-reads"}]
    assert body["content"] == article.content_html and body["mimetype"] == "text/html"
    assert body["published_by"] == ["Ada", "Grace"] and body["language"] == "en"
    assert (
        body["domain_name"] == "example.com" and body["preview_picture"] == "https://www.example.com/lead.jpg"
    )
    assert body["reading_time"] == article.reading_time_minutes
    dt.datetime.strptime(body["created_at"], WALLABAG_DATE)
    assert body["published_at"].startswith("2016-09-08T")
    assert body["annotations"][0]["quote"] == "The text" and body["annotations"][0]["text"] == "a note"
    assert body["_links"] == {"self": {"href": f"/api/entries/{article.pk}"}}
    metadata = wb.get(f"/api/entries/{article.pk}?detail=metadata").json()
    assert metadata["content"] is None and metadata["title"] == "A story"
    assert wb.get(f"/api/entries/{article.pk}?detail=bad").status_code == 400


def test_http_status_is_a_string_as_in_wallabag(wb, user):
    article = ArticleFactory(user=user, ready=True)
    ArticleSource.objects.create(article=article, html="<p>x</p>", http_status=200)
    assert wb.get(f"/api/entries/{article.pk}").json()["http_status"] == "200"


def test_patch_entry_changes_state_through_the_services(wb, user):
    article = ArticleFactory(user=user, ready=True, tags=["old"])
    response = wb.patch(
        f"/api/entries/{article.pk}.json",
        {
            "title": "New awesome title",
            "archive": "1",
            "starred": "1",
            "tags": "new,other",
            "language": "de",
            "preview_picture": "http://preview.io/picture.jpg",
            "published_at": "2016-09-08T11:55:58+0200",
            "authors": "bob,helen",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "New awesome title" and body["is_archived"] == 1 and body["is_starred"] == 1
    assert sorted(t["label"] for t in body["tags"]) == ["new", "other"]
    assert body["language"] == "de" and body["preview_picture"] == "http://preview.io/picture.jpg"
    assert body["published_by"] == ["bob", "helen"]
    row = Article.objects.get(pk=article.pk)
    assert row.is_archived and row.is_favorite and row.read_at is not None  # wallabag: archived is read
    assert {"title", "language", "lead_image", "published", "author"} <= set(row.stated_fields)
    unarchived = wb.patch(f"/api/entries/{article.pk}", {"archive": 0}, format="json").json()
    assert unarchived["is_archived"] == 0 and Article.objects.get(pk=article.pk).read_at is None
    assert wb.patch(f"/api/entries/{article.pk}", {"title": "   "}, format="json").json()["title"] == (
        "New awesome title"
    )  # wallabag ignores an empty title


def test_patch_with_content_extracts_the_sent_page(wb, user):
    article = ArticleFactory(user=user, ready=True, archived=True, favorite=True, read=True)
    response = wb.patch(f"/api/entries/{article.pk}", {"content": "<p>awesome</p>"}, format="json")
    assert response.status_code == 200
    row = Article.objects.get(pk=article.pk)
    assert row.status == Article.Status.QUEUED and row.source == Article.Source.BROWSER
    assert row.is_archived and row.is_favorite and row.read_at is not None  # states kept
    assert ArticleSource.objects.get(article=row).html == "<p>awesome</p>"


def test_delete_entry_answers_the_entry_or_its_id(wb, user):
    first, second = ArticleFactory(user=user), ArticleFactory(user=user)
    body = wb.delete(f"/api/entries/{first.pk}.json").json()
    assert body["id"] == first.pk and set(body) == ENTRY_KEYS
    assert wb.delete(f"/api/entries/{second.pk}?expect=id").json() == {"id": second.pk}
    assert Article.objects.filter(deleted_at__isnull=False).count() == 2
    assert wb.get(f"/api/entries/{first.pk}").status_code == 404
    assert wb.delete(f"/api/entries/{first.pk}?expect=bad").status_code == 404


def test_reload_queues_the_article_again(wb, user):
    article = ArticleFactory(user=user, ready=True)
    response = wb.patch(f"/api/entries/{article.pk}/reload.json")
    assert response.status_code == 200 and response.json()["id"] == article.pk
    assert Article.objects.get(pk=article.pk).status == Article.Status.QUEUED


# --- create -------------------------------------------------------------------------------------------


def test_post_url_saves_through_the_saving_service(wb, user):
    response = wb.post(
        "/api/entries.json",
        {
            "url": "https://www.example.com/news/1",
            "title": "New title for my article",
            "tags": "google,apple",
            "starred": "1",
            "language": "de",
            "published_at": "2016-09-08T11:55:58+0200",
            "authors": "bob,helen",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == ENTRY_KEYS
    assert body["url"] == "https://www.example.com/news/1" and body["title"] == "New title for my article"
    assert sorted(t["label"] for t in body["tags"]) == ["apple", "google"]
    assert body["is_starred"] == 1 and body["is_archived"] == 0 and body["language"] == "de"
    assert body["published_by"] == ["bob", "helen"]
    row = Article.objects.get(pk=body["id"])
    assert row.origin == Article.Origin.APP and row.status == Article.Status.QUEUED
    assert row.source == Article.Source.FETCH and "title" in row.stated_fields


def test_post_json_body_as_koreader_sends_it(wb, user):
    body = wb.post(
        "/api/entries.json", {"url": "https://example.org/a", "tags": "e-reader"}, format="json"
    ).json()
    assert [t["label"] for t in body["tags"]] == ["e-reader"]
    again = wb.post("/api/entries.json", {"url": "https://example.org/a", "archive": 1}, format="json").json()
    assert again["id"] == body["id"] and again["is_archived"] == 1


def test_post_with_content_is_extracted_without_fetching(wb, user):
    html = "<html><body><article><h1>Sent</h1><p>The page the client had.</p></article></body></html>"
    body = wb.post("/api/entries", {"url": "https://example.org/sent", "content": html}, format="json").json()
    row = Article.objects.get(pk=body["id"])
    assert row.source == Article.Source.BROWSER and ArticleSource.objects.get(article=row).html == html


def test_post_refuses_a_missing_or_bad_url(wb):
    assert wb.post("/api/entries", {}, format="json").status_code == 400
    bad = wb.post("/api/entries", {"url": "javascript:alert(1)"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"error", "error_description"}


# --- list -------------------------------------------------------------------------------------------


def test_list_shape_and_pagination(wb, user):
    for n in range(5):
        ArticleFactory(user=user, title=f"Article {n}")
    body = wb.get("/api/entries.json?perPage=2&page=2").json()
    assert {k: body[k] for k in ("page", "limit", "pages", "total")} == {
        "page": 2,
        "limit": 2,
        "pages": 3,
        "total": 5,
    }
    assert set(body["_links"]) == {"self", "first", "last", "next", "previous"}
    assert all(link["href"].startswith("http://testserver/api/entries") for link in body["_links"].values())
    assert "page=3" in body["_links"]["next"]["href"] and "perPage=2" in body["_links"]["next"]["href"]
    assert len(body["_embedded"]["items"]) == 2 and set(body["_embedded"]["items"][0]) == ENTRY_KEYS
    assert wb.get("/api/entries?perPage=2&page=9").status_code == 404
    huge = wb.get("/api/entries?perPage=9223372036854775807").json()  # wallabag-client's sys.maxsize
    assert huge["total"] == 5 and len(huge["_embedded"]["items"]) == 5


def test_list_filters(wb, user):
    now = timezone.now()
    archived = ArticleFactory(user=user, is_archived=True, url="https://a.example.com/1")
    starred = ArticleFactory(
        user=user, is_favorite=True, url="https://www.b.example.org/2", tags=["foo", "bar"]
    )
    plain = ArticleFactory(user=user, url="https://b.example.org/3", tags=["foo"])
    Article.objects.filter(pk=archived.pk).update(updated_at=now - dt.timedelta(days=10))

    def ids(query):
        response = wb.get("/api/entries" + query)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["_embedded"]["items"]}

    assert ids("?archive=1") == {archived.pk}
    assert ids("?archive=0") == {starred.pk, plain.pk}
    assert ids("?starred=1") == {starred.pk}
    assert ids("?tags=foo,bar") == {starred.pk}
    assert ids("?tags=FOO") == {starred.pk, plain.pk}
    assert ids(f"?since={int((now - dt.timedelta(days=1)).timestamp())}") == {starred.pk, plain.pk}
    assert ids("?domain_name=b.example.org") == {starred.pk, plain.pk}
    assert ids("?public=1") == set()
    order = [i["id"] for i in wb.get("/api/entries?sort=created&order=asc").json()["_embedded"]["items"]]
    assert order == [archived.pk, starred.pk, plain.pk]
    by_update = [i["id"] for i in wb.get("/api/entries?sort=updated&order=desc").json()["_embedded"]["items"]]
    assert by_update[-1] == archived.pk
    assert wb.get("/api/entries?sort=updated&order=unknown").status_code == 400
    assert wb.get("/api/entries?detail=metadata").json()["_embedded"]["items"][0]["content"] is None


# --- exists -------------------------------------------------------------------------------------------


def test_exists(wb, user):
    article = ArticleFactory(user=user, url="https://example.com/saved")
    assert wb.get("/api/entries/exists.json?url=https://example.com/saved").json() == {"exists": True}
    assert wb.get("/api/entries/exists?url=https://example.com/saved&return_id=1").json() == {
        "exists": article.pk
    }
    assert wb.get("/api/entries/exists?url=https://example.com/nope").json() == {"exists": False}
    many = wb.get(
        "/api/entries/exists?urls[]=https://example.com/saved&urls[]=https://example.com/nope"
    ).json()
    assert many == {"https://example.com/saved": True, "https://example.com/nope": False}
    digest = url_hash("https://example.com/saved")
    assert wb.get(f"/api/entries/exists?hashed_url={digest}&return_id=1").json() == {"exists": article.pk}
    assert wb.get(f"/api/entries/exists?hashed_urls[]={digest}").json() == {digest: True}
    assert wb.get("/api/entries/exists").status_code == 403


# --- export -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("epub", "application/epub+zip"),
        ("json", "application/json"),
        ("csv", "application/csv"),
        ("md", "text/markdown; charset=utf-8"),
        ("txt", "text/plain; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
    ],
)
def test_export_formats(wb, user, fmt, content_type):
    article = ArticleFactory(user=user, ready=True, title="Exported story")
    response = wb.get(f"/api/entries/{article.pk}/export.{fmt}")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="Exported_story.{fmt}"'
    body = response.content
    if fmt == "epub":
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        assert names[0] == "mimetype" and "META-INF/container.xml" in names
    elif fmt == "json":
        assert json.loads(body)["articles"][0]["title"] == "Exported story"
    else:
        assert b"Exported story" in body


def test_export_ignores_the_accept_header_as_wallabag_does(wb, user):
    article = ArticleFactory(user=user, ready=True)
    response = wb.get(f"/api/entries/{article.pk}/export.epub", HTTP_ACCEPT="application/epub+zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/epub+zip"
    assert wb.get(f"/api/entries/{article.pk}.json", HTTP_ACCEPT="text/html").status_code == 200


def test_export_unknown_format_is_404(wb, user):
    article = ArticleFactory(user=user, ready=True)
    assert wb.get(f"/api/entries/{article.pk}/export.mobi").status_code == 404


# --- tags ---------------------------------------------------------------------------------------------


def test_entry_tags(wb, user):
    article = ArticleFactory(user=user, tags=["a"])
    assert [t["label"] for t in wb.get(f"/api/entries/{article.pk}/tags").json()] == ["a"]
    body = wb.post(f"/api/entries/{article.pk}/tags.json", {"tags": "b,c"}).json()
    assert sorted(t["label"] for t in body["tags"]) == ["a", "b", "c"]
    b = Tag.objects.get(name="b")
    body = wb.delete(f"/api/entries/{article.pk}/tags/{b.pk}.json").json()
    assert sorted(t["label"] for t in body["tags"]) == ["a", "c"]
    assert Tag.objects.filter(pk=b.pk).exists()  # removed from the entry only


def test_delete_tags_from_entries_by_url(wb, user):
    article = ArticleFactory(user=user, url="https://example.com/x", tags=["a", "b"])
    query = json.dumps(
        [{"url": "https://example.com/x", "tags": "a"}, {"url": "https://example.com/nope", "tags": "a"}]
    )
    body = wb.delete("/api/entries/tags/list", {"list": query}, QUERY_STRING=f"list={query}").json()
    assert body == [
        {"url": "https://example.com/x", "entry": article.pk},
        {"url": "https://example.com/nope", "entry": False},
    ]
    assert [t.name for t in Article.objects.get(pk=article.pk).tags.all()] == ["b"]


def test_tags_list_and_deletes(wb, user):
    a = TagFactory(user=user, name="Alpha")
    TagFactory(user=user, name="beta")
    TagFactory(user=user, name="gamma")
    ArticleFactory(user=user, tags=[a])
    assert wb.get("/api/tags.json").json()[0] == {
        "id": a.pk,
        "label": "Alpha",
        "slug": "alpha",
        "nbEntries": 1,
    }
    assert wb.delete(f"/api/tags/{a.pk}.json").json() == {"id": a.pk, "label": "Alpha", "slug": "alpha"}
    assert wb.delete("/api/tag/label.json?tag=BETA").json()["label"] == "beta"
    assert wb.delete("/api/tags/label?tags=gamma,none").json()[0]["label"] == "gamma"
    assert not Tag.objects.filter(user=user).exists()
    assert wb.delete("/api/tag/label?tag=missing").status_code == 404
    assert wb.delete(f"/api/tags/{a.pk}").status_code == 404


# --- annotations --------------------------------------------------------------------------------------


def test_annotations_round_trip_the_ranges(wb, user):
    article = ArticleFactory(user=user, ready=True)
    ranges = [{"start": "/p[1]", "startOffset": "0", "end": "/p[1]", "endOffset": "8"}]
    created = wb.post(
        f"/api/annotations/{article.pk}.json",
        {"text": "my note", "quote": "The text", "ranges": ranges},
        format="json",
    ).json()
    assert created["quote"] == "The text" and created["text"] == "my note" and created["ranges"] == ranges
    assert set(created) == {
        "user",
        "annotator_schema_version",
        "id",
        "text",
        "created_at",
        "updated_at",
        "quote",
        "ranges",
    }
    listed = wb.get(f"/api/annotations/{article.pk}.json").json()
    assert listed == {"total": 1, "rows": [created]}
    changed = wb.put(f"/api/annotations/{created['id']}.json", {"text": "better"}, format="json").json()
    assert changed["text"] == "better" and changed["ranges"] == ranges
    assert Highlight.objects.get(pk=created["id"]).note == "better"
    assert wb.delete(f"/api/annotations/{created['id']}.json").json()["id"] == created["id"]
    assert not Highlight.objects.exists()


# --- someone else's -----------------------------------------------------------------------------------


def test_another_persons_entries_tags_and_annotations_are_404(wb, user, other_user):
    theirs = ArticleFactory(user=other_user, url="https://example.com/theirs", tags=["secret"])
    tag = Tag.objects.get(user=other_user)
    highlight = HighlightFactory(article=theirs)
    base = f"/api/entries/{theirs.pk}"
    for method, path in [
        ("get", base),
        ("patch", base),
        ("delete", base),
        ("patch", base + "/reload"),
        ("get", base + "/export.epub"),
        ("get", base + "/tags"),
        ("post", base + "/tags"),
        ("delete", f"{base}/tags/{tag.pk}"),
        ("delete", f"/api/tags/{tag.pk}"),
        ("get", f"/api/annotations/{theirs.pk}"),
        ("post", f"/api/annotations/{theirs.pk}"),
        ("put", f"/api/annotations/{highlight.pk}"),
        ("delete", f"/api/annotations/{highlight.pk}"),
    ]:
        response = getattr(wb, method)(path, {"tags": "x", "quote": "q"}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    assert wb.get("/api/entries").json()["total"] == 0
    assert wb.get("/api/entries/exists?url=https://example.com/theirs").json() == {"exists": False}
    assert wb.delete("/api/tag/label?tag=secret").status_code == 404
    assert wb.get("/api/tags").json() == []
    theirs.refresh_from_db()
    assert theirs.deleted_at is None and list(theirs.tags.all()) == [tag]
    assert Highlight.objects.filter(pk=highlight.pk).exists()
