"""Atom feeds under the secret feed token: feedparser reads every feed without a bozo error, full
sanitized content with absolute image addresses, discovery links on library pages, rotation and
revocation (404), Referrer-Policy everywhere."""

import feedparser
import pytest

from articles.services import feed_token_revoke, feed_token_rotate
from tests.factories import ArticleFactory, SavedSearchFactory, TagFactory

pytestmark = pytest.mark.django_db

DIGEST = "a" * 64


@pytest.fixture
def library(user):
    tag = TagFactory(user=user, name="Science")
    ArticleFactory(
        user=user,
        ready=True,
        title="Tagged story",
        content_html=f'<p>Body <img src="/images/{DIGEST}.webp" alt="x"></p><script>alert(1)</script>',
        tags=[tag],
    )
    ArticleFactory(user=user, ready=True, title="Favorite story", is_favorite=True)
    ArticleFactory(user=user, ready=True, title="Archived story", is_archived=True)
    search = SavedSearchFactory(user=user, name="Stories", query="story")
    return tag, search


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response["Referrer-Policy"] == "no-referrer"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_every_feed_parses_with_full_sanitized_content(client, user, library):
    tag, search = library
    key = feed_token_rotate(user=user)
    unread = _parse(client, f"/feeds/{key}/unread.atom")
    assert {e.title for e in unread.entries} == {"Tagged story", "Favorite story"}
    tagged = _parse(client, f"/feeds/{key}/tags/{tag.pk}.atom")
    (entry,) = tagged.entries
    content = entry.content[0].value
    assert "Body" in content and "<script" not in content
    assert f"http://testserver/images/{DIGEST}.webp" in content
    assert [t.term for t in entry.tags] == ["Science"]
    assert {e.title for e in _parse(client, f"/feeds/{key}/favorites.atom").entries} == {"Favorite story"}
    assert {e.title for e in _parse(client, f"/feeds/{key}/archive.atom").entries} == {"Archived story"}
    assert len(_parse(client, f"/feeds/{key}/all.atom").entries) == 3
    _parse(client, f"/feeds/{key}/continue.atom")
    assert len(_parse(client, f"/feeds/{key}/searches/{search.pk}.atom").entries) == 3


def test_rotated_and_revoked_tokens_answer_404(client, user, library):
    old = feed_token_rotate(user=user)
    new = feed_token_rotate(user=user)
    assert client.get(f"/feeds/{old}/unread.atom").status_code == 404
    assert client.get(f"/feeds/{new}/unread.atom").status_code == 200
    feed_token_revoke(user=user)
    assert client.get(f"/feeds/{new}/unread.atom").status_code == 404
    assert client.get("/feeds/guess/unread.atom").status_code == 404


def test_another_persons_tag_or_search_is_404(client, user, other_user):
    key = feed_token_rotate(user=user)
    theirs_tag = TagFactory(user=other_user)
    theirs_search = SavedSearchFactory(user=other_user)
    assert client.get(f"/feeds/{key}/tags/{theirs_tag.pk}.atom").status_code == 404
    assert client.get(f"/feeds/{key}/searches/{theirs_search.pk}.atom").status_code == 404
    assert client.get(f"/feeds/{key}/nope.atom").status_code == 404


def test_library_pages_link_their_feed_and_send_a_referrer_policy(client_logged_in, user, library):
    tag, _search = library
    page = client_logged_in.get("/")
    assert 'type="application/atom+xml"' not in page.content.decode()  # feeds are off
    assert page["Referrer-Policy"] == "same-origin"
    key = feed_token_rotate(user=user)
    html = client_logged_in.get("/").content.decode()
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Folio feed of this view" href="http://testserver/feeds/{key}/unread.atom">'
        in html
    )
    assert f"/feeds/{key}/tags/{tag.pk}.atom" in client_logged_in.get(f"/tags/{tag.pk}/").content.decode()


def test_settings_turn_feeds_on_rotate_and_off(client_logged_in, user, library):
    page = client_logged_in.post("/settings/apps/feeds/", {"action": "rotate"}, follow=True).content.decode()
    key = user.feed_token.key
    assert f"/feeds/{key}/unread.atom" in page and "Tag Science" in page and "Search Stories" in page
    client_logged_in.post("/settings/apps/feeds/", {"action": "rotate"})
    user.feed_token.refresh_from_db()
    assert user.feed_token.key != key
    page = client_logged_in.post("/settings/apps/feeds/", {"action": "revoke"}, follow=True).content.decode()
    assert "Feeds are off." in page
