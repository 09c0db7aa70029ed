"""The import page, its progress partial and retry; export downloads in every format."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles import services
from articles.models import Article, Import
from tests.factories import ArticleFactory, HighlightFactory, TagFactory

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
pytestmark = pytest.mark.django_db


def upload(client, name: str, data: bytes | None = None):
    data = (SAMPLES / name).read_bytes() if data is None else data
    return client.post(reverse("articles:imports"), {"file": SimpleUploadedFile(name, data)})


def test_page_is_linked_from_the_header(client_logged_in):
    page = client_logged_in.get(reverse("articles:library")).content.decode()
    assert reverse("articles:imports") in page


def test_upload_creates_pending_import_and_progress_polls(client_logged_in, user):
    response = upload(client_logged_in, "pocket.csv")
    assert response.status_code == 302
    job = Import.objects.get(user=user)
    assert (job.status, job.format, job.filename) == ("pending", "pocket_csv", "pocket.csv")
    page = client_logged_in.get(reverse("articles:imports")).content.decode()
    assert 'hx-trigger="every 2s"' in page and "pocket.csv" in page
    services.import_run(import_id=job.pk)
    partial = client_logged_in.get(reverse("articles:import_progress", args=[job.pk])).content.decode()
    assert "Read 4 of 4 entries: 3 new, 0 already saved, 1 rejected" in partial
    assert "3 remaining" in partial and "javascript:alert(1)" in partial
    assert 'hx-trigger="every 2s"' in partial  # articles are still being fetched
    Article.objects.filter(import_job=job).update(status="failed", failure_reason="The server answered 404.")
    partial = client_logged_in.get(reverse("articles:import_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial and "could not be fetched" in partial and "answered 404" in partial
    response = client_logged_in.post(reverse("articles:import_retry", args=[job.pk]))
    assert response.status_code == 302
    assert not Article.objects.filter(import_job=job, status="failed").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "The file is empty."), (b"no format here", "does not recognise")],
)
def test_upload_errors_are_shown(client_logged_in, data, message):
    response = upload(client_logged_in, "x.csv", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Import.objects.exists()


def test_upload_over_the_cap(client_logged_in, settings):
    settings.FOLIO_IMPORT_MAX_BYTES = 50
    response = upload(client_logged_in, "pocket.csv")
    assert "larger than" in response.content.decode() and not Import.objects.exists()


def test_other_users_import_is_hidden(client_logged_in, other_user):
    job = services.import_create(
        user=other_user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    assert client_logged_in.get(reverse("articles:import_progress", args=[job.pk])).status_code == 404
    assert client_logged_in.post(reverse("articles:import_retry", args=[job.pk])).status_code == 404


def test_tag_with_markup_is_escaped_on_pages(client_logged_in, user):
    job = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    services.import_run(import_id=job.pk)
    partial = client_logged_in.get(reverse("articles:import_progress", args=[job.pk])).content.decode()
    assert "<script" not in partial


# --- export ------------------------------------------------------------------------------------------------


@pytest.fixture
def library(user):
    ready = ArticleFactory(
        user=user,
        url="https://example.com/a?x=1&y=2",
        title='=1+2 "quoted" <b>title</b>',
        status="ready",
        content_html="<p>Body text with <b>bold</b>.</p>",
        content_text="Body text with bold.",
        is_favorite=True,
    )
    tag = TagFactory(user=user, name='"><script>')
    ready.tags.add(tag)
    HighlightFactory(article=ready, quote="Body text", note="a note")
    ArticleFactory(
        user=user,
        url="https://example.org/b",
        title="Second",
        is_archived=True,
    )
    return ready


def export(client, **params):
    response = client.get(reverse("articles:export"), params)
    assert response.status_code == 200, response.content[:300]
    return response


def test_export_csv_neutralises_formulas(client_logged_in, library):
    response = export(client_logged_in, format="csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    first = next(r for r in rows if r["url"].startswith("https://example.com/a"))
    assert first["title"] == '\'=1+2 "quoted" <b>title</b>'
    assert first["tags"] == '"><script>' and first["is_favorite"] == "1"
    assert response["Content-Disposition"].startswith("attachment;")


def test_export_bookmarks_escaped(client_logged_in, library):
    body = export(client_logged_in, format="html").content.decode()
    assert 'HREF="https://example.com/a?x=1&amp;y=2"' in body
    assert 'TAGS="&quot;&gt;&lt;script&gt;"' in body
    assert "&lt;b&gt;title&lt;/b&gt;" in body and "<script>" not in body
    from articles.importers import netscape

    items = list(netscape.parse(body.encode()))
    assert {i.url for i in items} == {"https://example.com/a?x=1&y=2", "https://example.org/b"}
    assert next(i for i in items if "example.com" in i.url).tags == ['"><script>']


def test_export_views_and_tags(client_logged_in, library):
    data = json.loads(export(client_logged_in, format="json", view="archive").content)
    assert [a["url"] for a in data["articles"]] == ["https://example.org/b"]
    data = json.loads(export(client_logged_in, format="json", tag='"><script>').content)
    assert [a["url"] for a in data["articles"]] == [library.url]
    data = json.loads(export(client_logged_in, format="json", q="bold").content)
    assert [a["url"] for a in data["articles"]] == [library.url]
    assert data["articles"][0]["highlights"][0]["note"] == "a note"


def test_export_only_own_articles(client_logged_in, library, other_user):
    ArticleFactory(
        user=other_user,
        url="https://secret.example/",
    )
    assert b"secret.example" not in export(client_logged_in, format="json").content


def test_export_markdown_zip(client_logged_in, library):
    archive = zipfile.ZipFile(io.BytesIO(export(client_logged_in, format="md").content))
    names = archive.namelist()
    assert len(names) == 2 and all(n.startswith("folio/") and n.endswith(".md") for n in names)
    text = archive.read(next(n for n in names if n.startswith(f"folio/{library.pk}-"))).decode()
    assert text.startswith("---\ntitle: ") and "Body text with **bold**." in text
    assert "> Body text" in text and "a note" in text


def test_export_epub_with_embedded_image(client_logged_in, library, page_server):
    """Images Folio kept go into the book; one it could not keep (gone) does not, and nothing is fetched."""
    from articles.services import media
    from tests.imagefiles import drawing

    image = page_server.add("/export-image.png", drawing(4, 4), headers={"Content-Type": "image/png"})
    library.content_html = (
        f'<p>Body text.</p><img src="{image}" alt="dot"><img src="{page_server.url("/gone.png")}">'
    )
    library.save()
    media.article_images_refresh(article_id=library.pk)
    response = export(client_logged_in, format="epub", article=str(library.pk))
    assert response["Content-Type"] == "application/epub+zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    kept = library.images.get(status="stored")
    assert "mimetype" in names and f"EPUB/images/{kept.digest}.webp" in names
    assert archive.read(f"EPUB/images/{kept.digest}.webp") == media.image_read(kept)
    chapter = archive.read(next(n for n in names if n.endswith("article-1.xhtml"))).decode()
    assert re.findall(r'<img[^>]*src="([^"]+)"', chapter) == [f"images/{kept.digest}.webp"]
    assert "&lt;b&gt;title&lt;/b&gt;" in chapter
    nav = archive.read(next(n for n in names if n.endswith("nav.xhtml"))).decode()
    assert "article-1.xhtml" in nav


def test_export_epub_of_a_view_has_a_table_of_contents(client_logged_in, library, tmp_path):
    """A view of two articles is a background job (tests/views/test_export_jobs.py); its book is read here."""
    import ebooklib
    from ebooklib import epub

    from articles.services import export_jobs

    response = client_logged_in.get(reverse("articles:export"), {"format": "epub"})
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    export_jobs.export_job_run(job_id=job_id)
    response = client_logged_in.get(reverse("articles:export_job_download", args=[job_id]))
    path = tmp_path / "export.epub"
    path.write_bytes(b"".join(response.streaming_content))
    book = epub.read_epub(str(path))
    titles = [link.title for link in book.toc]
    assert titles == ["Second", '=1+2 "quoted" <b>title</b>']  # newest save first
    assert len(list(book.get_items_of_type(ebooklib.ITEM_DOCUMENT))) >= 2


def test_export_rejects_unknown_format(client_logged_in):
    assert client_logged_in.get(reverse("articles:export"), {"format": "exe"}).status_code == 400


def test_huge_upload_refused_before_reading(client_logged_in, settings):
    settings.FOLIO_IMPORT_MAX_BYTES = 10
    response = client_logged_in.post(
        reverse("articles:imports"),
        {"file": SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024))},
    )
    assert (
        response.status_code == 413 and "larger than the 10 bytes Folio imports" in response.content.decode()
    )
    assert not Import.objects.exists()
