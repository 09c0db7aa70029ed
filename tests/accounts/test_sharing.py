"""Public share links (issue 16 item 5): the link works logged out and shows the sanitized article with its
kept images (through the link) and nothing else; revoked and expired links are 404; another user's links,
articles and images stay out of reach; the owner sees and revokes their links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ShareLink
from accounts.services import sharing
from articles import services
from articles.errors import NotFoundError
from articles.models import Article, ArticleImage
from tests import imagefiles
from tests.factories import ArticleFactory, HighlightFactory

pytestmark = pytest.mark.django_db

PARA = "<p>" + " ".join(["Ferries crossed the sound twice a day, weather allowing."] * 6) + "</p>"


@pytest.fixture
def article_with_image(user, page_server):
    """A ready article of ``user`` whose figure Folio kept, saved and processed for real."""
    photo = page_server.add(
        "/share/photo.jpg", imagefiles.photo(800, 500), headers={"Content-Type": "image/jpeg"}
    )
    html = (
        "<html><head><title>The sound</title></head><body><article><h1>The sound</h1>"
        f'{PARA}<figure><img src="{photo}" alt="The ferry"><figcaption>The ferry</figcaption></figure>{PARA}{PARA}'
        "</article></body></html>"
    )
    article, _ = services.article_save_url(
        origin="form", user=user, url=page_server.add("/share/story.html", html)
    )
    assert services.article_process(article_id=article.pk) == "ready"
    return Article.objects.get(pk=article.pk)


def _srcs(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)


def test_the_link_works_logged_out_with_its_images_and_safe_headers(user, article_with_image):
    link, token = sharing.share_create(user=user, article_id=article_with_image.pk)
    anonymous = Client()
    response = anonymous.get(f"/s/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The sound" in html and "Ferries crossed the sound" in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "script" not in csp
    assert "<script" not in html and "/articles/" not in html and "Log out" not in html
    srcs = _srcs(html)
    image = ArticleImage.objects.get(article=article_with_image, status="stored")
    assert srcs == [f"/s/{token}/images/{image.digest}.webp"]
    picture = anonymous.get(srcs[0])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/webp"
    assert picture["X-Content-Type-Options"] == "nosniff"
    # The owner's own address of the image stays closed to the visitor.
    assert anonymous.get(image.url).status_code == 404
    assert ShareLink.objects.get(pk=link.pk).last_viewed_at is not None


def test_only_a_hash_of_the_token_is_stored(user):
    article = ArticleFactory(user=user, ready=True)
    link, token = sharing.share_create(user=user, article_id=article.pk)
    assert len(token) >= 43 and token not in link.digest
    assert not ShareLink.objects.filter(digest=token).exists()


def test_revoked_and_expired_links_are_404(user, article_with_image):
    anonymous = Client()
    revoked, revoked_token = sharing.share_create(user=user, article_id=article_with_image.pk)
    image = ArticleImage.objects.get(article=article_with_image, status="stored")
    image_path = f"/s/{revoked_token}/images/{image.digest}.webp"
    assert anonymous.get(image_path).status_code == 200
    assert sharing.share_revoke(user=user, share_id=revoked.pk)
    assert anonymous.get(f"/s/{revoked_token}/").status_code == 404
    assert anonymous.get(image_path).status_code == 404

    expiring, expiring_token = sharing.share_create(
        user=user, article_id=article_with_image.pk, expires_in_days=1
    )
    assert anonymous.get(f"/s/{expiring_token}/").status_code == 200
    ShareLink.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert anonymous.get(f"/s/{expiring_token}/").status_code == 404
    assert anonymous.get(f"/s/{'x' * 43}/").status_code == 404


def test_a_deleted_article_or_deactivated_owner_closes_the_link(user):
    article = ArticleFactory(user=user, ready=True)
    _link, token = sharing.share_create(user=user, article_id=article.pk)
    user.is_active = False
    user.save()
    assert Client().get(f"/s/{token}/").status_code == 404
    user.is_active = True
    user.save()
    services.article_delete_bulk(user=user, ids=[article.pk])
    assert Client().get(f"/s/{token}/").status_code == 404


def test_a_share_reveals_no_other_image_nor_article(user, other_user, article_with_image, page_server):
    """The link's images are its article's only: another article's image (the owner's or anyone's) is 404
    through it, and nobody can share someone else's article."""
    own_other = ArticleFactory(user=user, ready=True)
    _link, token = sharing.share_create(user=user, article_id=own_other.pk)
    image = ArticleImage.objects.get(article=article_with_image, status="stored")
    assert Client().get(f"/s/{token}/images/{image.digest}.webp").status_code == 404
    with pytest.raises(NotFoundError):
        sharing.share_create(user=other_user, article_id=article_with_image.pk)
    intruder = Client()
    intruder.force_login(other_user)
    answer = intruder.post("/account/shares/new/", {"article": article_with_image.pk})
    assert answer.status_code == 404
    assert not ShareLink.objects.filter(user=other_user).exists()


def test_highlights_only_when_the_owner_ticks_it(user):
    article = ArticleFactory(user=user, ready=True)
    HighlightFactory(article=article, quote="a quiet passage", note="my private note")
    HighlightFactory(article=article, quote="imported", anchor={"start": "notanumber"})  # issue 21 item 6
    _plain, plain_token = sharing.share_create(user=user, article_id=article.pk)
    _with, with_token = sharing.share_create(user=user, article_id=article.pk, include_highlights=True)
    assert "my private note" not in Client().get(f"/s/{plain_token}/").content.decode()
    assert "my private note" in Client().get(f"/s/{with_token}/").content.decode()


def test_owner_pages_create_list_and_revoke(client_logged_in, user, other_user):
    article = ArticleFactory(user=user, ready=True, title="Harbour notes")
    response = client_logged_in.post(
        "/account/shares/new/", {"article": article.pk, "expires_in_days": "7"}, follow=True
    )
    html = response.content.decode()
    url = re.search(r'id="new-share-url" value="([^"]+)"', html).group(1)
    assert "/s/" in url and "Harbour notes" in html
    assert Client().get(url).status_code == 200
    # Shown once only.
    assert 'id="new-share-url"' not in client_logged_in.get("/account/shares/").content.decode()
    link = ShareLink.objects.get(user=user)
    assert link.expires_at is not None
    # Someone else cannot revoke it.
    intruder = Client()
    intruder.force_login(other_user)
    assert intruder.post(f"/account/shares/{link.pk}/revoke/").status_code == 404
    assert Client().get(url).status_code == 200
    client_logged_in.post("/account/shares/new/", {"article": article.pk})
    client_logged_in.post("/account/shares/revoke-all/")
    assert not ShareLink.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert Client().get(url).status_code == 404


def test_reader_offers_the_share_form(client_logged_in, user):
    article = ArticleFactory(user=user, ready=True)
    html = client_logged_in.get(f"/articles/{article.pk}/").content.decode()
    assert 'action="/account/shares/new/"' in html
