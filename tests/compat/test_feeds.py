"""Atom feeds under the secret feed token: feedparser reads every feed without a bozo error, full
sanitized content with absolute image addresses, discovery links on library pages, rotation and
revocation (404), Referrer-Policy everywhere."""

import feedparser
import pytest

from articles.services import feed_token_revoke, feed_token_rotate
from tests.factories import ArticleFactory, SavedSearchFactory, TagFactory, UserFactory

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
    assert f"http://testserver/feeds/{key}/images/{DIGEST}.webp" in content
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


def test_kept_images_load_through_the_feeds_own_route(client, user, page_server):
    """A kept image in a feed points at /feeds/<token>/images/…, which serves it with the feed token only
    (and with the media view's headers); a revoked token, or another person's token, gets 404."""
    from articles.models import Article
    from articles.services import media
    from tests.imagefiles import drawing

    image_url = page_server.add("/feed-image.png", drawing(4, 4), headers={"Content-Type": "image/png"})
    article = ArticleFactory(user=user, ready=True, title="With image")
    Article.objects.filter(pk=article.pk).update(
        content_html=f'<p>Body.</p><img src="{image_url}" alt="dot">'
    )
    media.article_images_refresh(article_id=article.pk)
    kept = article.images.get(status="stored")
    key = feed_token_rotate(user=user)
    content = _parse(client, f"/feeds/{key}/all.atom").entries[0].content[0].value
    address = f"http://testserver/feeds/{key}/images/{kept.digest}.webp"
    assert address in content
    response = client.get(address.removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Referrer-Policy"] == "no-referrer"
    assert b"".join(response.streaming_content) == media.image_read(kept)
    other_key = feed_token_rotate(user=UserFactory(username="someone"))
    assert client.get(f"/feeds/{other_key}/images/{kept.digest}.webp").status_code == 404
    feed_token_revoke(user=user)
    assert client.get(address.removeprefix("http://testserver")).status_code == 404
