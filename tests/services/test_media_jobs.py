"""Articles saved before Folio kept images get theirs: the ``keep_images`` command and the library's
"Keep images" bulk action (an ImageJob with live progress, run by a real worker), and the EPUB export that
embeds only Folio's verified images."""

from __future__ import annotations

import io
import re
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, ArticleImage, ImageJob
from articles.services import media, media_jobs
from tests import imagefiles
from tests.factories import ArticleFactory
from tests.pageserver import wait_for

pytestmark = pytest.mark.usefixtures("image_store")

PARA = "<p>" + " ".join(["Old harbours kept their cranes long after the ships had changed."] * 5) + "</p>"


def old_article(user, page_server, name: str, images: list[str], lead: str = "") -> Article:
    """A ready article as Folio stored it before it kept images: remote <img> in its HTML."""
    figures = "".join(f'<p><img src="{src}" alt="picture {i}"></p>' for i, src in enumerate(images))
    return ArticleFactory(
        user=user,
        url=page_server.url(f"/old/{name}.html"),
        url_key=f"old/{name}",
        status="ready",
        title=name,
        lead_image=lead,
        content_html=f"{PARA}{figures}{PARA}",
    )


def image_srcs(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)


@pytest.mark.django_db
def test_command_keeps_the_images_of_old_articles_with_progress(user, page_server):
    png = page_server.add("/old/a.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    jpg = page_server.add("/old/b.jpg", imagefiles.photo(500, 300), headers={"Content-Type": "image/jpeg"})
    gone = page_server.url("/old/gone.png")
    first = old_article(user, page_server, "first", [png, gone], lead=jpg)
    second = old_article(user, page_server, "second", [jpg])
    out = StringIO()
    call_command("keep_images", "reader", stdout=out)
    text = out.getvalue()
    assert "reader: [##############################] 2/2 articles, 3 images kept, 1 not kept" in text
    first.refresh_from_db()
    second.refresh_from_db()
    assert [s.startswith("/images/") for s in image_srcs(first.content_html)] == [True]
    assert f'class="folio-image-missing" href="{gone}"' in first.content_html
    assert ArticleImage.objects.get(article=first, source_url=jpg).is_lead
    assert image_srcs(second.content_html)[0].startswith("/images/")
    again = StringIO()
    call_command("keep_images", "reader", stdout=again)
    assert "reader: nothing to do." in again.getvalue()

    # The missing image appears on its site; --retry-failed keeps it now.
    page_server.add("/old/gone.png", imagefiles.drawing(200, 100), headers={"Content-Type": "image/png"})
    retried = StringIO()
    call_command("keep_images", "--retry-failed", stdout=retried)
    first.refresh_from_db()
    assert "folio-image-missing" not in first.content_html and len(image_srcs(first.content_html)) == 2
    assert "1/1 articles" in retried.getvalue()


@pytest.mark.django_db
def test_command_refuses_an_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named nobody"):
        call_command("keep_images", "nobody", stdout=StringIO())


@pytest.mark.django_db
def test_bulk_action_without_javascript_shows_the_jobs_page(client_logged_in, user, page_server):
    png = page_server.add("/old/bulk.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    article = old_article(user, page_server, "bulk", [png])
    response = client_logged_in.post(
        reverse("articles:actions"), {"action": "keep_images", "ids": [article.pk]}
    )
    job = ImageJob.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == reverse(
        "articles:image_job", args=[job.pk]
    )
    page = client_logged_in.get(response["Location"]).content.decode()
    assert "Keeping images: 0 of 1 article done" in page
    media_jobs.image_job_run(job_id=job.pk)  # what the worker does
    page = client_logged_in.get(response["Location"]).content.decode()
    assert "Keeping images: 1 of 1 article done" in page and "1 image kept" in page and "Done." in page
    assert 'hx-trigger="every 2s"' not in page  # no more polling


@pytest.mark.django_db
def test_bulk_action_refuses_articles_of_someone_else(client, other_user, user, page_server):
    mine = old_article(user, page_server, "mine", [page_server.url("/old/x.png")])
    client.force_login(other_user)
    response = client.post(
        reverse("articles:actions"), {"action": "keep_images", "ids": [mine.pk]}, HTTP_HX_REQUEST="true"
    )
    assert (
        response.status_code == 400
        and "None of the selected articles is ready yet." in response.content.decode()
    )
    assert not ImageJob.objects.exists()
    assert client.get(reverse("articles:image_job", args=[1])).status_code == 404


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_bulk_action_runs_in_the_worker_with_live_progress(
    client_logged_in, user, page_server, celery_worker_process, settings
):
    """htmx answers the progress block, which polls itself until a real worker has finished the job.

    The worker process keeps the images in its own ``images`` storage (FOLIO_DATA_DIR/images): this test
    checks the database side and the article, not the files."""
    png = page_server.add("/old/worker.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    articles = [old_article(user, page_server, f"worker-{i}", [png]) for i in range(3)]
    response = client_logged_in.post(
        reverse("articles:actions"),
        {"action": "keep_images", "ids": [a.pk for a in articles]},
        HTTP_HX_REQUEST="true",
    )
    job = ImageJob.objects.get(user=user)
    block = response.content.decode()
    assert (
        f'hx-get="{reverse("articles:image_job", args=[job.pk])}"' in block
        and 'hx-trigger="every 2s"' in block
    )
    assert wait_for(lambda: ImageJob.objects.get(pk=job.pk).status == "done", timeout=60), (
        celery_worker_process.log()[-3000:]
    )
    job.refresh_from_db()
    assert (job.position, job.stored_count, job.failed_count) == (3, 3, 0)
    for article in articles:
        article.refresh_from_db()
        assert image_srcs(article.content_html)[0].startswith("/images/")
    partial = client_logged_in.get(reverse("articles:image_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "Done." in partial.content.decode() and "hx-trigger" not in partial.content.decode()


# --- the EPUB export uses Folio's images only -------------------------------------------------------------


@pytest.mark.django_db
def test_epub_embeds_kept_images_and_the_lead_image_and_fetches_nothing(client_logged_in, user, page_server):
    body_image = page_server.add(
        "/epub/body.png", imagefiles.drawing(), headers={"Content-Type": "image/png"}
    )
    lead = page_server.add(
        "/epub/lead.jpg", imagefiles.photo(900, 500), headers={"Content-Type": "image/jpeg"}
    )
    fake = page_server.add(
        "/epub/fake.jpg", imagefiles.HTML_NAMED_JPG, headers={"Content-Type": "image/jpeg"}
    )
    article = old_article(user, page_server, "epub", [body_image, fake], lead=lead)
    media.article_images_refresh(article_id=article.pk)
    # An image that was never kept (still remote in the HTML): it must not be fetched by the export.
    Article.objects.filter(pk=article.pk).update(
        content_html=Article.objects.get(pk=article.pk).content_html
        + f'<p><img src="{page_server.url("/epub/never-kept.png")}"></p>'
    )
    hits_before = dict(page_server.hits)

    response = client_logged_in.get(reverse("articles:export"), {"format": "epub", "article": article.pk})

    assert page_server.hits == hits_before  # the export fetched nothing
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = {r.source_url: r for r in ArticleImage.objects.filter(article=article, status="stored")}
    assert set(rows) == {body_image, lead}
    images = sorted(n for n in archive.namelist() if "/images/" in n)
    assert images == sorted(f"EPUB/images/{r.digest}.webp" for r in rows.values())
    for row in rows.values():
        assert archive.read(f"EPUB/images/{row.digest}.webp") == media.image_read(row)
    chapter = archive.read("EPUB/article-1.xhtml").decode()
    srcs = image_srcs(chapter)
    assert srcs == [f"images/{rows[lead].digest}.webp", f"images/{rows[body_image].digest}.webp"]
    assert "never-kept" not in " ".join(srcs) and "fake.jpg" not in " ".join(srcs)


@pytest.mark.django_db
def test_epub_image_cap(client_logged_in, user, page_server, settings):
    settings.FOLIO_EPUB_MAX_IMAGES = 1
    a = page_server.add("/epub/cap-a.png", imagefiles.drawing(), headers={"Content-Type": "image/png"})
    b = page_server.add(
        "/epub/cap-b.png", imagefiles.drawing(300, 300), headers={"Content-Type": "image/png"}
    )
    article = old_article(user, page_server, "cap", [a, b])
    media.article_images_refresh(article_id=article.pk)
    response = client_logged_in.get(reverse("articles:export"), {"format": "epub", "article": article.pk})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert len([n for n in archive.namelist() if "/images/" in n]) == 1
    assert len(image_srcs(archive.read("EPUB/article-1.xhtml").decode())) == 1
