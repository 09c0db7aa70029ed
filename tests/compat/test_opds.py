"""The OPDS 1.2 catalog: every feed validates against Atom's RELAX NG schema (tests/fixtures/atom.rng,
from RFC 4287) with lxml, OPDS link relations and types, paging, OpenSearch, EPUB downloads that are
structurally valid EPUBs, and HTTP Basic with an app password only (never the account password; the app
password opens nothing else)."""

import base64
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from articles.services import app_password_create, app_password_revoke, feed_token_rotate
from compat import opds
from tests.factories import PASSWORD, ArticleFactory, SavedSearchFactory, TagFactory

pytestmark = pytest.mark.django_db

SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).resolve().parents[1] / "fixtures" / "atom.rng")))
NS = {"a": opds.ATOM_NS, "os": opds.OPENSEARCH_NS}


def _basic(username: str, password: str) -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def auth(user):
    _row, password = app_password_create(user=user, name="Kobo")
    return _basic("reader", password)


def _feed(client, url, auth, kind):
    response = client.get(url, **auth)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == f"{kind}; charset=utf-8"
    document = etree.fromstring(response.content)
    assert SCHEMA.validate(document), SCHEMA.error_log
    return document


def _assert_epub(content: bytes) -> None:
    """The EPUB container rules (OCF 3.0): ``mimetype`` first and stored, the container pointing at a
    package document that parses and lists a spine."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/epub+zip"
    container = etree.fromstring(archive.read("META-INF/container.xml"))
    (rootfile,) = container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    package = etree.fromstring(archive.read(rootfile.get("full-path")))
    assert package.find("{http://www.idpf.org/2007/opf}spine") is not None
    assert archive.testzip() is None


def test_navigation_feed_lists_views_tags_and_saved_searches(client, user, auth):
    tag = TagFactory(user=user, name="Science")
    search = SavedSearchFactory(user=user, name="Climate")
    root = _feed(client, "/opds/", auth, opds.NAVIGATION)
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert titles == [
        "Unread",
        "Continue reading",
        "Favorites",
        "Archive",
        "All articles",
        "Tag: Science",
        "Search: Climate",
    ]
    hrefs = [e.find("a:link", NS).get("href") for e in root.findall("a:entry", NS)]
    assert (
        f"http://testserver/opds/tags/{tag.pk}/" in hrefs
        and f"http://testserver/opds/searches/{search.pk}/" in hrefs
    )
    assert all(e.find("a:link", NS).get("type") == opds.ACQUISITION for e in root.findall("a:entry", NS))
    search_link = root.find("a:link[@rel='search']", NS)
    assert search_link.get("type") == "application/opensearchdescription+xml"


def test_acquisition_feeds_page_and_link_epubs(client, user, auth):
    for n in range(opds.PAGE_SIZE + 3):
        ArticleFactory(user=user, ready=True, title=f"Article {n}")
    first = _feed(client, "/opds/unread/", auth, opds.ACQUISITION)
    entries = first.findall("a:entry", NS)
    assert len(entries) == opds.PAGE_SIZE + 1  # the page as one book, then each article
    assert first.findtext("os:totalResults", namespaces=NS) == str(opds.PAGE_SIZE + 3)
    next_href = first.find("a:link[@rel='next']", NS).get("href")
    second = _feed(client, next_href.removeprefix("http://testserver"), auth, opds.ACQUISITION)
    assert len(second.findall("a:entry", NS)) == 3 + 1 and second.find("a:link[@rel='next']", NS) is None
    assert second.find("a:link[@rel='previous']", NS) is not None
    acquisition = entries[1].find("a:link[@rel='http://opds-spec.org/acquisition']", NS)
    assert acquisition.get("type") == "application/epub+zip"
    book = client.get(acquisition.get("href").removeprefix("http://testserver"), **auth)
    assert book.status_code == 200 and book["Content-Type"] == "application/epub+zip"
    _assert_epub(book.content)
    whole = entries[0].find("a:link[@rel='http://opds-spec.org/acquisition']", NS).get("href")
    whole_book = client.get(whole.removeprefix("http://testserver"), **auth)
    _assert_epub(whole_book.content)
    spine = zipfile.ZipFile(io.BytesIO(whole_book.content)).namelist()
    assert sum(name.startswith("EPUB/article-") for name in spine) == opds.PAGE_SIZE
    assert client.get("/opds/unread/?page=9", **auth).status_code == 404


def test_tag_search_and_opensearch(client, user, auth):
    tag = TagFactory(user=user, name="Science")
    ArticleFactory(user=user, ready=True, title="Tagged", tags=[tag])
    ArticleFactory(user=user, ready=True, title="Harbour weather report")
    saved = SavedSearchFactory(user=user, name="Harbour", query="harbour")
    for url, kind in [
        (f"/opds/tags/{tag.pk}/", opds.ACQUISITION),
        (f"/opds/searches/{saved.pk}/", opds.ACQUISITION),
        ("/opds/search/?q=harbour", opds.ACQUISITION),
        ("/opds/favorites/", opds.ACQUISITION),
        ("/opds/archive/", opds.ACQUISITION),
        ("/opds/continue/", opds.ACQUISITION),
        ("/opds/all/", opds.ACQUISITION),
    ]:
        _feed(client, url, auth, kind)
    tagged = _feed(client, f"/opds/tags/{tag.pk}/", auth, opds.ACQUISITION)
    assert [e.findtext("a:title", namespaces=NS) for e in tagged.findall("a:entry", NS)][1:] == ["Tagged"]
    found = _feed(client, "/opds/search/?q=harbour", auth, opds.ACQUISITION)
    assert "Harbour weather report" in [
        e.findtext("a:title", namespaces=NS) for e in found.findall("a:entry", NS)
    ]
    description = etree.fromstring(client.get("/opds/search.xml", **auth).content)
    url = description.find(f"{{{opds.OPENSEARCH_NS}}}Url")
    assert url.get("template") == "http://testserver/opds/search/?q={searchTerms}"


def test_basic_auth_takes_an_app_password_only(client, user, other_user, auth):
    missing = client.get("/opds/")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Basic ")
    assert client.get("/opds/", **_basic("reader", PASSWORD)).status_code == 401  # the account password
    assert client.get("/opds/", **auth).status_code == 200
    password = base64.b64decode(auth["HTTP_AUTHORIZATION"].split()[1]).decode().split(":", 1)[1]
    assert client.get("/opds/", **_basic("intruder", password)).status_code == 401
    row = user.app_passwords.get()
    app_password_revoke(user=user, pk=row.pk)
    assert client.get("/opds/", **auth).status_code == 401


def test_the_app_password_opens_nothing_else(client, user, auth):
    password = base64.b64decode(auth["HTTP_AUTHORIZATION"].split()[1]).decode().split(":", 1)[1]
    assert client.get("/api/articles/", **auth).status_code in (401, 403)
    assert client.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {password}").status_code in (401, 403)
    assert client.get("/api/entries", **auth).status_code == 401
    assert client.get("/api/entries", HTTP_AUTHORIZATION=f"Bearer {password}").status_code == 401
    assert client.get("/", **auth).status_code == 302  # pages: the login page
    client.post("/login/", {"username": "reader", "password": password})
    assert "_auth_user_id" not in client.session  # the log-in form refuses it
    assert client.get(f"/feeds/{password}/unread.atom").status_code == 404


def test_other_peoples_articles_tags_and_searches_are_404(client, other_user, auth):
    theirs = ArticleFactory(user=other_user, ready=True)
    tag = TagFactory(user=other_user)
    saved = SavedSearchFactory(user=other_user)
    for url in (f"/opds/articles/{theirs.pk}.epub", f"/opds/tags/{tag.pk}/", f"/opds/searches/{saved.pk}/"):
        assert client.get(url, **auth).status_code == 404, url


def test_settings_create_show_once_and_revoke_app_passwords(client_logged_in, user):
    page = client_logged_in.post("/settings/apps/passwords/", {"name": "Kobo"}, follow=True).content.decode()
    password = page.split('id="new-app-password">', 1)[1].split("<", 1)[0]
    assert client_logged_in.get("/opds/", **_basic("reader", password)).status_code == 200
    assert password not in client_logged_in.get("/settings/").content.decode()
    row = user.app_passwords.get()
    client_logged_in.post(f"/settings/apps/passwords/{row.pk}/revoke/")
    assert not user.app_passwords.exists()


def test_feeds_validate_against_the_atom_schema_too(client, user):
    ArticleFactory(user=user, ready=True, title="Story", tags=["x"])
    key = feed_token_rotate(user=user)
    document = etree.fromstring(client.get(f"/feeds/{key}/all.atom").content)
    assert SCHEMA.validate(document), SCHEMA.error_log


def test_feeds_take_the_app_password_too(client, user, auth):
    tag = TagFactory(user=user, name="Science")
    ArticleFactory(user=user, ready=True, title="Story", tags=[tag])
    saved = SavedSearchFactory(user=user, query="story")
    for url in ("/feeds/unread.atom", f"/feeds/tags/{tag.pk}.atom", f"/feeds/searches/{saved.pk}.atom"):
        response = client.get(url, **auth)
        assert response.status_code == 200, url
        assert SCHEMA.validate(etree.fromstring(response.content)), SCHEMA.error_log
        assert client.get(url).status_code == 401
        assert client.get(url, **_basic("reader", PASSWORD)).status_code == 401
