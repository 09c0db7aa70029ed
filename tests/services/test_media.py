"""Images kept locally (issue 12, item 4): the worker's processing downloads an article's images from a local
page server through the one fetch client, keeps verified re-encoded copies in the ``images`` storage and
rewrites the article to Folio's URLs; hostile images are never stored or served, and never fail the article.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image

from articles import imaging, services
from articles.models import Article, ArticleImage
from articles.services import media
from tests import imagefiles
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("image_store")]

PARA = (
    "<p>"
    + " ".join(["The river keeps its course through the old town, past the mills and bridges."] * 6)
    + "</p>"
)


def stored_files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


def article_page(page_server, path: str, figures: list[str], lead: str = "") -> str:
    """An article page at ``path`` whose body holds an <img> for each address in ``figures``."""
    images = "".join(f'<figure><img src="{src}" alt="figure {i}"><figcaption>Figure {i}</figcaption></figure>{PARA}'
                     for i, src in enumerate(figures, start=1))  # fmt: skip
    meta = f'<meta property="og:image" content="{lead}">' if lead else ""
    html = (
        f"<html><head><title>Rivers of the north</title>{meta}</head><body><article>"
        f"<h1>Rivers of the north</h1>{PARA}{images}{PARA}{PARA}</article></body></html>"
    )
    return page_server.add(path, html)


def save_and_process(user, url: str) -> Article:
    article, _ = services.article_save_url(user=user, url=url, origin="form")
    assert services.article_process(article_id=article.pk) == "ready"
    return Article.objects.get(pk=article.pk)


def image_srcs(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)


# --- the whole path: processing keeps the images ----------------------------------------------------------


def test_processing_keeps_images_and_rewrites_the_article(user, page_server, image_store, client_logged_in):
    photo = page_server.add(
        "/media/photo.jpg", imagefiles.photo(2400, 1600), headers={"Content-Type": "image/jpeg"}
    )
    drawing = page_server.add(
        "/media/drawing.png", imagefiles.drawing(), headers={"Content-Type": "image/png"}
    )
    lead = page_server.add(
        "/media/lead.jpg", imagefiles.photo(800, 400), headers={"Content-Type": "image/jpeg"}
    )
    url = article_page(page_server, "/media/story-ok.html", [photo, drawing], lead=lead)

    article = save_and_process(user, url)

    srcs = image_srcs(article.content_html)
    assert len(srcs) == 2 and all(imaging.LOCAL_PATH.match(s) for s in srcs), srcs
    assert page_server.url("/media/") not in article.content_html.replace(f'href="{url}"', "")
    rows = {row.source_url: row for row in ArticleImage.objects.filter(article=article)}
    assert set(rows) == {photo, drawing, lead} and rows[lead].is_lead
    assert all(row.status == "stored" and row.user_id == user.pk for row in rows.values())
    assert (rows[photo].width, rows[photo].height) == (1600, 1067)  # long side capped at 1600
    files = stored_files(image_store)
    assert set(files) == {f"{row.digest}.webp" for row in rows.values()}
    for name, data in files.items():
        assert Image.open(io.BytesIO(data)).format == "WEBP"
        assert imagefiles.SECRET.encode() not in data and b"FolioCam" not in data
        assert name.split(".")[0] == __import__("hashlib").sha256(data).hexdigest()  # content-addressed

    # The reader shows only Folio's images: the lead image first (it is not in the body), then the body's.
    page = client_logged_in.get(reverse("articles:reader", args=[article.pk])).content.decode()
    assert image_srcs(page) == [rows[lead].url, *srcs]
    assert "http://127.0.0.1" not in " ".join(image_srcs(page))


HOSTILE = {
    # name: (path, body, headers) served by the page server
    "png decompression bomb": ("/hostile/bomb.png", imagefiles.png_bomb, {"Content-Type": "image/png"}),
    "svg with script": ("/hostile/logo.svg", imagefiles.SVG_WITH_SCRIPT, {"Content-Type": "image/svg+xml"}),
    "svg sent as png": ("/hostile/logo-png.png", imagefiles.SVG_WITH_SCRIPT, {"Content-Type": "image/png"}),
    "html named .jpg": ("/hostile/photo.jpg", imagefiles.HTML_NAMED_JPG, {"Content-Type": "image/jpeg"}),
    "html named .jpg, honest type": (
        "/hostile/page.jpg",
        imagefiles.HTML_NAMED_JPG,
        {"Content-Type": "text/html"},
    ),
    "30 MB jpeg": ("/hostile/huge.jpg", imagefiles.jpeg_30mb, {"Content-Type": "image/jpeg"}),
    "redirect to a private address": (
        "/hostile/redirect.jpg",
        b"",
        {"Location": "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
    ),
}


def test_hostile_images_are_never_stored_or_served_and_the_article_is_ready(
    user, page_server, image_store, client_logged_in, settings
):
    good = page_server.add("/hostile/good.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    urls = {}
    for name, (path, body, headers) in HOSTILE.items():
        status = 302 if "Location" in headers else 200
        urls[name] = page_server.add(path, body() if callable(body) else body, status=status, headers=headers)
    article_url = article_page(page_server, "/hostile/story.html", [*urls.values(), good])

    article = save_and_process(user, article_url)

    assert article.status == "ready" and "Rivers of the north" in article.title
    rows = {row.source_url: row for row in ArticleImage.objects.filter(article=article)}
    reasons = {name: rows[url].failure_reason for name, url in urls.items()}
    assert all(rows[url].status == "failed" and rows[url].digest == "" for url in urls.values()), reasons
    assert "too large" in reasons["png decompression bomb"]
    assert "image/svg+xml" in reasons["svg with script"]
    assert "not a picture" in reasons["svg sent as png"] and "not a picture" in reasons["html named .jpg"]
    assert "text/html" in reasons["html named .jpg, honest type"]
    assert "larger than Folio's limit of 10 MB" in reasons["30 MB jpeg"]
    assert "private, local or reserved" in reasons["redirect to a private address"]
    # Only the good image is on disk, and it is the only image the article shows.
    assert set(stored_files(image_store)) == {f"{rows[good].digest}.webp"}
    assert image_srcs(article.content_html) == [rows[good].url]
    # Each hostile image is a visible link to its original instead.
    for url in urls.values():
        assert f'<a class="folio-image-missing" href="{url}"' in article.content_html
    page = client_logged_in.get(reverse("articles:reader", args=[article.pk])).content.decode()
    assert page.count('class="folio-image-missing"') == len(HOSTILE) and image_srcs(page) == [rows[good].url]
    assert client_logged_in.get(rows[good].url).status_code == 200


def test_an_image_that_trickles_for_ever_ends_at_its_deadline_and_the_article_is_ready(
    user, page_server, settings
):
    import time

    settings.FOLIO_IMAGE_FETCH_TIMEOUT = 1.0
    settings.FOLIO_FETCH_READ_TIMEOUT = 0.5

    def trickle(handler):
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n")
            while True:
                handler.wfile.write(b"\x00")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    slow = page_server.add("/slow/image.png", handler=trickle)
    article = save_and_process(user, article_page(page_server, "/slow/story.html", [slow]))
    row = ArticleImage.objects.get(article=article)
    assert row.status == "failed" and "took more than 1 seconds" in row.failure_reason
    assert f'href="{slow}"' in article.content_html


def test_images_over_the_per_article_limit_become_links(user, page_server, settings):
    settings.FOLIO_IMAGE_MAX_PER_ARTICLE = 1
    first = page_server.add("/limit/1.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    second = page_server.add(
        "/limit/2.png", imagefiles.drawing(300, 200), headers={"Content-Type": "image/png"}
    )
    article = save_and_process(user, article_page(page_server, "/limit/story.html", [first, second]))
    assert [r.source_url for r in ArticleImage.objects.filter(article=article)] == [first]
    assert len(image_srcs(article.content_html)) == 1 and f'href="{second}"' in article.content_html
    assert page_server.hits.get("/limit/2.png") is None  # never downloaded


def test_the_same_image_is_stored_once_for_two_people_and_served_to_each_only(
    user, other_user, page_server, image_store, client, settings
):
    shared = page_server.add("/shared/pic.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    mine = save_and_process(user, article_page(page_server, "/shared/a.html", [shared]))
    theirs = save_and_process(other_user, article_page(page_server, "/shared/b.html", [shared]))
    a, b = ArticleImage.objects.get(article=mine), ArticleImage.objects.get(article=theirs)
    assert a.digest == b.digest and len(stored_files(image_store)) == 1

    client.force_login(user)
    assert client.get(a.url).status_code == 200
    ArticleImage.objects.filter(article=theirs).delete()  # the other person's rows go
    assert media.images_prune(older_than=0) == 0  # still mine: kept
    ArticleImage.objects.filter(article=mine).delete()
    assert media.images_prune(older_than=0) == 1 and stored_files(image_store) == {}


# --- serving ----------------------------------------------------------------------------------------------


@pytest.fixture
def kept_image(user, page_server):
    url = page_server.add(
        "/serve/pic.jpg", imagefiles.photo(600, 400), headers={"Content-Type": "image/jpeg"}
    )
    article = save_and_process(user, article_page(page_server, "/serve/story.html", [url]))
    return ArticleImage.objects.get(article=article)


def test_owner_gets_the_image_with_safe_headers(client_logged_in, kept_image):
    response = client_logged_in.get(kept_image.url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(body)).format == "WEBP" and len(body) == kept_image.byte_size
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Length"] == str(kept_image.byte_size)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"].split("; ")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response["ETag"] == f'"{kept_image.digest}"'
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    again = client_logged_in.get(kept_image.url, HTTP_IF_NONE_MATCH=f'"{kept_image.digest}"')
    assert again.status_code == 304 and again["Cache-Control"] == response["Cache-Control"]


def test_api_clients_get_the_image_with_their_token(client, user, other_user, kept_image):
    from articles.services.account import api_token_create

    mine, theirs = api_token_create(user=user)[1], api_token_create(user=other_user)[1]
    assert client.get(kept_image.url, HTTP_AUTHORIZATION=f"Token {mine}").status_code == 200
    assert client.get(kept_image.url, HTTP_AUTHORIZATION=f"Token {theirs}").status_code == 404
    assert client.get(kept_image.url, HTTP_AUTHORIZATION="Token not-a-token").status_code == 404


def test_nobody_else_gets_the_image(client, other_user, kept_image):
    assert client.get(kept_image.url).status_code == 404  # logged out: 404, not a log-in redirect
    client.force_login(other_user)
    assert client.get(kept_image.url).status_code == 404
    assert client.get(kept_image.url.replace(".webp", ".jpg")).status_code == 404


def test_a_failed_image_has_nothing_to_serve(client_logged_in, user, page_server):
    svg = page_server.add(
        "/serve/x.svg", imagefiles.SVG_WITH_SCRIPT, headers={"Content-Type": "image/svg+xml"}
    )
    article = save_and_process(user, article_page(page_server, "/serve/svg.html", [svg]))
    row = ArticleImage.objects.get(article=article)
    assert row.status == "failed" and row.digest == ""
    digest = __import__("hashlib").sha256(imagefiles.SVG_WITH_SCRIPT).hexdigest()
    for ext in ("webp", "jpg"):
        assert client_logged_in.get(f"/images/{digest}.{ext}").status_code == 404
    assert client_logged_in.get(f"/images/{digest}.svg").status_code == 404


def test_a_missing_file_answers_404(client_logged_in, kept_image, image_store):
    for path in image_store.rglob("*.webp"):
        path.unlink()
    assert client_logged_in.get(kept_image.url).status_code == 404


def test_share_link_scope_serves_only_that_articles_images(rf, kept_image, other_user, page_server):
    """The serving function a share link will use: scoped by article, not by viewer."""
    from articles import queries
    from articles.views.media import image_response

    found = queries.article_image_get(
        digest=kept_image.digest, content_type="image/webp", article_id=kept_image.article_id
    )
    assert image_response(rf.get(kept_image.url), found).status_code == 200
    other = save_and_process(other_user, article_page(page_server, "/serve/other.html", []))
    assert (
        queries.article_image_get(digest=kept_image.digest, content_type="image/webp", article_id=other.pk)
        is None
    )
    assert queries.article_image_get(digest=kept_image.digest, content_type="image/webp") is None


def test_images_go_through_the_storage_api_only(user, page_server, settings, client_logged_in):
    """With Django's in-memory storage as the ``images`` storage (as S3 through django-storages would be),
    images are stored and served from it: nothing assumes a local file."""
    settings.STORAGES = {
        **settings.STORAGES,
        "images": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    url = page_server.add("/memory/pic.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    article = save_and_process(user, article_page(page_server, "/memory/story.html", [url]))
    row = ArticleImage.objects.get(article=article)
    assert storages["images"].exists(media.image_name(row.digest, "webp"))
    assert b"".join(client_logged_in.get(row.url).streaming_content) == media.image_read(row)


def test_jpeg_output_setting(user, page_server, settings, client_logged_in):
    settings.FOLIO_IMAGE_FORMAT = "jpeg"
    url = page_server.add(
        "/jpeg/pic.png", imagefiles.drawing(transparent=True), headers={"Content-Type": "image/png"}
    )
    article = save_and_process(user, article_page(page_server, "/jpeg/story.html", [url]))
    row = ArticleImage.objects.get(article=article)
    assert row.content_type == "image/jpeg" and row.url.endswith(".jpg")
    response = client_logged_in.get(row.url)
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).mode == "RGB"


# --- the reader and the CSP -------------------------------------------------------------------------------


def test_reader_csp_allows_only_folios_own_images(client_logged_in, kept_image):
    response = client_logged_in.get(reverse("articles:reader", args=[kept_image.article_id]))
    policy = dict(
        [*d.strip().split(" ", 1), ""][:2]
        for d in response["Content-Security-Policy"].split(";")
        if d.strip()
    )
    assert policy["img-src"].split() == ["'self'", "data:"]


def test_article_saved_before_keeps_no_remote_image_in_the_reader(client_logged_in, user):
    article = ArticleFactory(
        user=user, url="https://news.test/old", url_key="news.test/old", status="ready", title="Old",
        content_html=f'{PARA}<p><img src="https://cdn.news.test/a.jpg" alt="Harbour"></p>',
    )  # fmt: skip
    page = client_logged_in.get(reverse("articles:reader", args=[article.pk])).content.decode()
    assert "cdn.news.test/a.jpg" in page and image_srcs(page) == []
    assert 'class="folio-image-missing" href="https://cdn.news.test/a.jpg"' in page


def test_highlighting_keeps_local_image_paths(user, kept_image):
    """The reader sanitizes again with the article's address as base: Folio's paths must stay Folio's."""
    from articles.highlighting import mark_quotes
    from articles.sanitizing import clean

    html = Article.objects.get(pk=kept_image.article_id).content_html
    marked, found = mark_quotes(html, [("river keeps its course", 0)], "https://elsewhere.test/story")
    assert found == 1 and kept_image.url in image_srcs(marked)
    # A protocol-relative look-alike is not Folio's.
    fake = f'<img src="//evil.test/images/{kept_image.digest}.webp">'
    assert "evil.test" in clean(fake, "https://elsewhere.test/") and not imaging.LOCAL_PATH.match(
        image_srcs(clean(fake, "https://elsewhere.test/"))[0]
    )
