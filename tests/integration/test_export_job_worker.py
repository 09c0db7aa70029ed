"""An EPUB of several articles made by a real Celery worker (issue 15 item 3): asked for through the page,
it ends ready, and the book opens: a ZIP whose first entry is ``mimetype`` (stored, ``application/epub+zip``),
every content document parses as XML, and every article is in it."""

import io
import zipfile

import lxml.etree
import pytest
from django.urls import reverse

from articles.models import ExportJob
from tests.factories import ArticleFactory
from tests.pageserver import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_makes_the_book_of_several_articles(client_logged_in, user, celery_worker_process):
    articles = [
        ArticleFactory(
            user=user, ready=True, title=f"Worker chapter {n}", content_html=f"<p>Body {n} &amp; more.</p>"
        )
        for n in range(4)
    ]
    response = client_logged_in.get(reverse("articles:export"), {"format": "epub"})
    assert response.status_code == 302
    job = ExportJob.objects.get(user=user)
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).status in ("ready", "failed"), timeout=60)
    job.refresh_from_db()
    assert job.status == "ready", (job.error, celery_worker_process.log()[-2000:])
    assert job.position == len(articles)

    download = client_logged_in.get(reverse("articles:export_job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    first = archive.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert archive.read("mimetype") == b"application/epub+zip"
    documents = [n for n in archive.namelist() if n.endswith(".xhtml")]
    text = ""
    for name in documents:
        tree = lxml.etree.fromstring(archive.read(name))  # raises on a document that is not XML
        text += "".join(tree.itertext())
    for n in range(len(articles)):
        assert f"Worker chapter {n}" in text and f"Body {n} & more." in text
