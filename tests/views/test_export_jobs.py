"""An EPUB of more than one article is an export job (issue 15 item 3): progress page polled by htmx (and a
reload link without JavaScript), download, cancel, failure with a reason, expiry, per user. The worker's
side runs here by calling the service; tests/integration/test_export_job_worker.py runs a real worker."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import ExportJob
from articles.services import export_jobs
from articles.services.exporting import ExportStopped, export_articles, export_epub
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(user):
    return [
        ArticleFactory(user=user, ready=True, title=f"Chapter {n}", content_html=f"<p>Text {n}.</p>")
        for n in range(3)
    ]


def _ask(client, **params):
    return client.get(reverse("articles:export"), {"format": "epub", **params})


def test_several_articles_become_a_job_and_the_book_downloads(client_logged_in, user, three):
    response = _ask(client_logged_in)
    job = ExportJob.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == reverse(
        "articles:export_job", args=[job.pk]
    )
    assert (job.status, job.position, sorted(job.article_ids)) == ("pending", 0, sorted(a.pk for a in three))
    page = client_logged_in.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "0 of 3 articles in the book" in page
    assert reverse("articles:export_job_cancel", args=[job.pk]) in page  # a form: works without JS
    assert f'href="{reverse("articles:export_job", args=[job.pk])}">Reload' in page

    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.position, job.expires_at > timezone.now()) == ("ready", 3, True)
    partial = client_logged_in.get(reverse("articles:export_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "hx-trigger" not in text and "3 of 3 articles in the book" in text and "Download the EPUB" in text
    download = client_logged_in.get(reverse("articles:export_job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/epub+zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert archive.namelist()[0] == "mimetype"
    chapters = "".join(archive.read(n).decode() for n in archive.namelist() if "/article-" in n)
    assert all(f"Chapter {n}" in chapters and f"Text {n}." in chapters for n in range(3))


def test_one_article_stays_immediate(client_logged_in, user, three):
    response = _ask(client_logged_in, article=str(three[0].pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/epub+zip"
    assert not ExportJob.objects.exists()


def test_cancel_before_the_worker_starts(client_logged_in, user, three):
    _ask(client_logged_in)
    job = ExportJob.objects.get(user=user)
    response = client_logged_in.post(reverse("articles:export_job_cancel", args=[job.pk]))
    assert response.status_code == 302
    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, bool(job.file)) == ("cancelled", False)
    page = client_logged_in.get(reverse("articles:export_job", args=[job.pk])).content.decode()
    assert "Cancelled." in page and 'hx-trigger="every 2s"' not in page


def test_a_stop_between_chapters_abandons_the_book(user, three):
    seen = []

    def progress(done):
        seen.append(done)
        return done < 2

    with pytest.raises(ExportStopped):
        export_epub(export_articles(user=user), progress=progress)
    assert seen == [1, 2]


def test_storage_refusing_the_file_fails_with_a_reason(client_logged_in, user, three, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage wants a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker)},
        },
    }
    job = export_jobs.export_job_create(user=user, ids=[a.pk for a in three], enqueue=False)
    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error.startswith("The book could not be made:")
    page = client_logged_in.get(reverse("articles:export_job", args=[job.pk])).content.decode()
    assert "Failed." in page and "The book could not be made" in page
    assert client_logged_in.get(reverse("articles:export_job_download", args=[job.pk])).status_code == 404


def test_jobs_are_per_user(client, user, three):
    job = export_jobs.export_job_create(user=user, ids=[a.pk for a in three], enqueue=False)
    stranger = UserFactory()
    client.force_login(stranger)
    for name in ("articles:export_job", "articles:export_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("articles:export_job_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "pending"
    with pytest.raises(Exception, match="nothing to export"):
        export_jobs.export_job_create(user=stranger, ids=[a.pk for a in three], enqueue=False)


def test_the_file_is_deleted_when_it_expires(client_logged_in, user, three):
    job = export_jobs.export_job_create(user=user, ids=[a.pk for a in three], enqueue=False)
    job = export_jobs.export_job_run(job_id=job.pk)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert export_jobs.export_job_sweep() == 1
    job.refresh_from_db()
    assert (job.status, job.file.name, storage.exists(name)) == ("expired", "", False)
    assert client_logged_in.get(reverse("articles:export_job_download", args=[job.pk])).status_code == 404
    assert (
        "Ask for the export again"
        in client_logged_in.get(reverse("articles:export_job", args=[job.pk])).content.decode()
    )


def test_a_job_whose_worker_died_ends_failed(user, three):
    job = export_jobs.export_job_create(user=user, ids=[a.pk for a in three], enqueue=False)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - timedelta(hours=1)
    )
    export_jobs.export_job_sweep()
    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.error


def test_deleting_the_account_deletes_its_books(user, three):
    from articles.services.account import account_delete

    job = export_jobs.export_job_create(user=user, ids=[a.pk for a in three], enqueue=False)
    job = export_jobs.export_job_run(job_id=job.pk)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    account_delete(user=user)
    assert not ExportJob.objects.filter(pk=job.pk).exists() and not storage.exists(name)
