"""import_create / import_run on every sample file, hostile files, dedupe and the JSON round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles import services
from articles.importers import ImportItem
from articles.models import Article, Import, Tag
from articles.services.exporting import export_articles, export_json
from articles.services.importing import ImportRejectedError, interleave_by_host
from tests.factories import ArticleFactory, HighlightFactory, UserFactory

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
pytestmark = pytest.mark.django_db


def run_import(user, name: str | None = None, data: bytes | None = None) -> Import:
    data = data if data is not None else (SAMPLES / name).read_bytes()
    job = services.import_create(user=user, data=data, filename=name or "upload", enqueue=False)
    return services.import_run(import_id=job.pk)


def article(user, url: str) -> Article:
    return Article.objects.get(user=user, url=url)


def tags(a: Article) -> set[str]:
    return {t.name for t in a.tags.all()}


def test_pocket_csv_import(user):
    job = run_import(user, "pocket.csv")
    assert (job.status, job.format, job.total, job.created_count, job.failed_count) == (
        "done",
        "pocket_csv",
        4,
        3,
        1,
    )
    first = article(user, "https://example.com/how-to-read")
    assert first.title == "How to Read a Paper" and tags(first) == {"research", "reading"}
    assert first.saved_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert first.status == "queued" and first.source == "import" and first.import_job_id == job.pk
    archived = article(user, "https://example.org/commas?utm_source=pocket")
    assert archived.is_archived and archived.read_at is not None
    formula = article(user, "https://example.net/formula")
    assert formula.title.startswith("=HYPERLINK") and tags(formula) == {'tag with "quotes" <b>'}
    assert job.failures == [
        {"line": 5, "url": "javascript:alert(1)", "reason": "Folio saves http and https addresses only."}
    ]


def test_pocket_html_import(user):
    job = run_import(user, "pocket.html")
    assert job.created_count == 3
    assert article(user, "https://example.org/archived").is_archived
    assert tags(article(user, "https://example.com/unread-one")) == {"news", "long read"}


def test_instapaper_import(user):
    job = run_import(user, "instapaper.csv")
    assert job.created_count == 4
    archived = article(user, "https://example.com/insta-archived")
    assert archived.is_archived and archived.highlights.get().quote == "The passage I selected."
    assert article(user, "https://example.com/insta-starred").is_favorite
    assert tags(article(user, "https://example.com/insta-folder")) == {"recipes", "Cooking"}


def test_readwise_import(user):
    job = run_import(user, "readwise.csv")
    assert job.created_count == 3
    short = article(user, "https://example.com/rw-short")
    assert short.is_favorite and tags(short) == {"ideas", "to share"} and short.progress_percent == 35.0
    done = article(user, "https://example.com/rw-archive")
    assert done.is_archived and done.read_at is not None


def test_bookmarks_import_rejects_file_and_place_urls(user):
    job = run_import(user, "bookmarks.html")
    assert job.created_count == 4 and job.failed_count == 2
    assert {f["url"] for f in job.failures} == {"file:///etc/passwd", "place:sort=8&maxResults=10"}
    assert tags(article(user, "https://example.com/bm-python")) == {"python", "docs", "Programming"}
    assert article(user, "https://example.com/bm-python").title == "Python <docs>"


def test_wallabag_keeps_stored_content_without_fetching(user):
    job = run_import(user, "wallabag.json")
    stored = article(user, "https://example.com/wb-stored")
    assert stored.status == "ready" and "important sentence" in stored.content_html
    assert "<script>" not in stored.content_html and "alert" not in stored.content_text
    assert stored.word_count > 5 and stored.is_archived and stored.is_favorite
    h = stored.highlights.get()
    assert (h.quote, h.note) == ("an important sentence", "My note on it")
    assert article(user, "https://example.org/wb-empty").status == "queued"
    assert services.import_progress(job) == {"ready": 1, "failed": 0, "remaining": 1}


def test_omnivore_import(user):
    run_import(user, "omnivore.zip")
    one = article(user, "https://example.com/omni-one")
    assert one.status == "ready" and "Omnivore kept this text" in one.content_text
    assert tags(one) == {"Newsletter", "design"} and one.is_archived and one.read_at
    assert [(h.quote, h.note) for h in one.highlights.all()] == [
        ("The highlighted words are here.", "A note about it"),
        ("Another paragraph.", ""),
    ]


def test_same_file_twice_creates_no_duplicates(user):
    run_import(user, "pocket.csv")
    before = Article.objects.count(), Tag.objects.count()
    again = run_import(user, "pocket.csv")
    assert (again.created_count, again.duplicate_count) == (0, 3)
    assert (Article.objects.count(), Tag.objects.count()) == before


def test_url_saved_by_hand_counts_as_duplicate(user):
    services.article_save_url(origin="form", user=user, url="https://example.com/how-to-read?utm_source=x")
    job = run_import(user, "pocket.csv")
    assert job.duplicate_count == 1 and job.created_count == 2


def test_imports_are_per_user(user, other_user):
    run_import(user, "pocket.csv")
    job = run_import(other_user, "pocket.csv")
    assert job.created_count == 3
    assert Article.objects.filter(user=other_user).count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"   ", "empty"), (b"just some words", "does not recognise")],
)
def test_rejected_files_store_nothing(user, data, message):
    with pytest.raises(ImportRejectedError, match=message):
        services.import_create(user=user, data=data, filename="x.csv")
    assert not Import.objects.exists()


def test_file_over_the_size_cap(user, settings):
    settings.FOLIO_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRejectedError, match="larger than"):
        services.import_create(user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv")
    assert not Import.objects.exists()


def test_broken_row_imports_what_is_valid(user):
    data = b"title,url,time_added,tags,status\nA,https://example.com/a,1,,unread\n" + b'"' + b"x" * 2_000_000
    job = run_import(user, "p.csv", data)
    assert job.status == "done" and job.created_count == 1
    assert "Entries before it were imported" in job.failures[-1]["reason"]


def test_entirely_broken_json_fails_with_message(user):
    job = run_import(user, "w.json", b'[{"url": "https://example.com/x", "is_archived": 1')
    assert job.status == "failed" and "JSON file is broken" in job.error
    assert not Article.objects.exists()


def test_hostile_values_are_stored_as_text(user):
    data = (
        b"title,url,time_added,tags,status\n"
        b'"<img src=x onerror=alert(1)>",https://example.com/h,1700000000,"""><script>x</script>|=cmd",unread\n'
    )
    run_import(user, "h.csv", data)
    a = article(user, "https://example.com/h")
    assert a.title == "<img src=x onerror=alert(1)>"
    assert tags(a) == {'"><script>x</script>', "=cmd"}


def test_interleave_by_host():
    items = [
        ImportItem(url=f"https://{h}/{i}")
        for h, i in [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("c", 1), ("b", 2)]
    ]
    order = [i.url for i in interleave_by_host(items)]
    assert order == ["https://a/1", "https://b/1", "https://c/1", "https://a/2", "https://b/2", "https://a/3"]


def test_retry_failed_articles(user):
    job = run_import(user, "pocket.csv")
    Article.objects.filter(import_job=job).update(status="failed", failure_reason="404")
    assert services.import_retry_failed(user=user, import_id=job.pk) == 3
    assert set(Article.objects.filter(import_job=job).values_list("status", flat=True)) == {"queued"}


def test_json_export_round_trips(user, django_user_model):
    run_import(user, "wallabag.json")
    run_import(user, "pocket.csv")
    run_import(user, "omnivore.zip")
    stored = article(user, "https://example.com/wb-stored")
    stored.author, stored.site_name, stored.language, stored.excerpt = "A. Writer", "Example", "en", "Short."
    stored.progress_percent = 42.5
    stored.note = "The note on the article travels too."
    stored.save()
    HighlightFactory(article=stored, quote="Second paragraph.", note="n2", anchor={"start": 80})
    exported = export_json(export_articles(user=user))

    fresh = UserFactory(username="fresh")
    job = run_import(fresh, "folio.json", exported)
    assert job.format == "folio" and job.failed_count == 0

    def snapshot(owner):
        rows = {}
        for a in export_articles(user=owner):
            rows[a.url] = (
                a.title,
                a.author,
                a.site_name,
                a.language,
                a.excerpt,
                a.status,
                a.content_html,
                a.content_text,
                a.word_count,
                a.saved_at,
                a.read_at,
                a.is_archived,
                a.is_favorite,
                a.progress_percent,
                a.note,
                sorted(t.name for t in a.tags.all()),
                [(h.quote, h.note, h.anchor, h.created_at) for h in a.highlights.all()],
            )
        return rows

    assert snapshot(fresh) == snapshot(user)
    assert Article.objects.get(user=fresh, url=stored.url).note == "The note on the article travels too."
    assert (
        json.loads(export_json(export_articles(user=fresh)))["articles"] == json.loads(exported)["articles"]
    )


def test_content_import_is_stored_as_processing_stores_it(user):
    """Issue 15: a Folio JSON entry in French gets French stemming and a content hash, as a processed
    article would (both go through processing.article_store_extraction)."""
    import hashlib

    body = "<p>Le chat dort sur le canapé du salon.</p><p>Il rêve de souris et de jardins.</p>"
    document = {
        "folio_export": 1,
        "articles": [
            {
                "url": "https://exemple.fr/chat",
                "title": "Le chat",
                "status": "ready",
                "language": "fr",
                "content_html": body + "<script>alert(1)</script>",
                "progress_percent": 99,
                "tags": ["animaux"],
            }
        ],
    }
    job = run_import(user, "folio.json", json.dumps(document).encode())
    assert job.created_count == 1 and job.failed_count == 0
    stored = article(user, "https://exemple.fr/chat")
    assert (stored.status, stored.language, stored.search_config, stored.origin) == (
        "ready",
        "fr",
        "french",
        "import",
    )
    assert stored.content_text.startswith("Le chat dort") and "<script" not in stored.content_html
    assert stored.content_hash == hashlib.sha256(stored.content_text.encode()).hexdigest()
    assert stored.word_count == 15 and stored.reading_time_minutes == 1
    assert stored.excerpt == "Le chat dort sur le canapé du salon."
    assert stored.read_at is not None  # 99 % read: finished (FINISHED_PERCENT)
    assert tags(stored) == {"animaux"}


def _imported(user, job, url):

    return ArticleFactory(user=user, url=url, source="import", import_job=job)


def test_fetch_chunk_processes_within_budget_and_requeues_the_rest(user, page_server, monkeypatch):
    from articles.services import enqueue, importing

    page = (
        "<html><head><title>Chunk page</title></head><body><article>" + "<p>Words enough to keep. </p>" * 20
    )
    job = run_import(user, "pocket.html")
    busy = page_server.add("/chunk-busy", "busy", status=503)
    ok = [
        _imported(user, job, page_server.add(f"/chunk-{i}", page + "</article></body></html>"))
        for i in range(3)
    ]
    flaky = _imported(user, job, busy)
    sent, retried = [], []
    monkeypatch.setattr(
        enqueue, "import_fetch_enqueue", lambda *, article_ids, countdown=None: sent.append(article_ids)
    )

    def chunk(ids, seconds):
        return importing.import_fetch_chunk(
            article_ids=ids, seconds=seconds, retry_later=lambda i, exc: retried.append((i, exc.backoff))
        )

    rest = chunk([flaky.pk, ok[0].pk, ok[1].pk, ok[2].pk], 0)
    assert rest == [ok[0].pk, ok[1].pk, ok[2].pk] and sent == [rest]  # one article, then back to the queue
    assert Article.objects.get(pk=flaky.pk).status == "queued"  # temporary error: retried on its own later
    assert retried == [(flaky.pk, True)]  # the task's policy decides when
    assert chunk(rest, 60) == []
    assert set(Article.objects.filter(pk__in=rest).values_list("status", flat=True)) == {"ready"}


def test_sweeper_leaves_imported_articles_waiting_in_their_queue(user, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from articles.services import enqueue

    sent = []
    monkeypatch.setattr(
        enqueue,
        "article_process_enqueue",
        lambda article_id, queue=None, countdown=None: sent.append((article_id, queue)) or True,
    )
    job = run_import(user, "pocket.html")
    hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.filter(import_job=job).update(updated_at=hour_ago)
    assert services.article_requeue_stale() == 0  # within FOLIO_IMPORT_STALE_AFTER: still in the import queue
    Article.objects.filter(import_job=job).update(updated_at=hour_ago - timedelta(hours=6))
    assert services.article_requeue_stale() == 3
    assert {queue for _, queue in sent} == {settings.FOLIO_IMPORT_QUEUE}


def test_uploaded_file_is_deleted_after_the_run(user):
    job = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    path = Path(job.file.path)
    assert path.exists()
    services.import_run(import_id=job.pk)
    assert not path.exists() and not Import.objects.get(pk=job.pk).file


# --- imports that always end (issue 21.3) -------------------------------------------------------------------


def _corrupt_zip() -> bytes:
    """An Omnivore export whose directory is intact but whose compressed metadata is garbage: opening the
    archive works, reading the member raises ``zlib.error`` (or ``BadZipFile`` on a bad CRC)."""
    import io
    import zipfile

    out = io.BytesIO()
    payload = json.dumps([{"url": f"https://example.com/{i}", "title": "t" * 50} for i in range(200)])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata_0_to_200.json", payload)
    data = bytearray(out.getvalue())
    offset = 30 + len("metadata_0_to_200.json")  # the local header, then the compressed bytes
    for i in range(offset + 5, offset + 60):
        data[i] ^= 0xA5
    return bytes(data)


def test_corrupt_zip_ends_failed_with_a_reason_and_no_file(user):
    data = _corrupt_zip()
    job = services.import_create(user=user, data=data, filename="omnivore.zip", enqueue=False)
    path = Path(job.file.path)
    job = services.import_run(import_id=job.pk)
    assert job.status == "failed" and "damaged" in job.error and job.finished_at is not None
    assert not path.exists() and not job.file
    assert not Article.objects.exists()


def test_ten_thousand_nested_folders_give_a_bounded_number_of_tags(user):
    depth = 10_000
    data = (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        + "".join(f"<DT><H3>folder {i}</H3>\n<DL><p>\n" for i in range(depth))
        + '<DT><A HREF="https://example.com/deep" ADD_DATE="1700000000">Deep</A>\n'
        + "</DL><p>\n" * (depth + 1)
    ).encode()
    job = run_import(user, "bookmarks.html", data)
    assert job.status == "done" and job.created_count == 1
    deep = article(user, "https://example.com/deep")
    assert deep.tags.count() == 200
    assert tags(deep) == {f"folder {i}" for i in range(200)}


def test_row_cap_imports_the_first_entries_and_says_so(user, settings):
    settings.FOLIO_IMPORT_MAX_ENTRIES = 3
    rows = "".join(f"Title {i},https://example.com/cap{i},1700000000,,unread\n" for i in range(5))
    job = run_import(user, "cap.csv", ("title,url,time_added,tags,status\n" + rows).encode())
    assert job.status == "done" and job.created_count == 3
    assert any("more than 3 entries" in f["reason"] for f in job.failures)


def test_soft_time_limit_ends_the_import_failed_keeping_what_was_written(user, settings, monkeypatch):
    """Celery's soft limit is SIGUSR1 in the pool process, whose handler raises SoftTimeLimitExceeded: the
    same signal, delivered while the second batch is written, inside the task body (articles.tasks)."""
    import os
    import signal

    from celery.exceptions import SoftTimeLimitExceeded

    from articles.services import importing
    from articles.tasks import import_run_task

    settings.FOLIO_IMPORT_BATCH_SIZE = 2
    rows = "".join(f"Title {i},https://example.com/slow{i},1700000000,,unread\n" for i in range(6))
    job = services.import_create(
        user=user,
        data=("title,url,time_added,tags,status\n" + rows).encode(),
        filename="s.csv",
        enqueue=False,
    )
    path = Path(job.file.path)
    real_write = importing._write_batch
    calls = []

    def write_then_signal(job, batch):
        calls.append([item.url for item in batch])
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGUSR1)
        return real_write(job, batch)

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(importing, "_write_batch", write_then_signal)
    queued = []
    monkeypatch.setattr(importing, "fetch_enqueue_on_commit", queued.extend)
    previous = signal.signal(signal.SIGUSR1, soft_limit)
    try:
        import_run_task(job.pk)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == importing.stopped_reason()
    assert job.created_count == 2 and Article.objects.filter(import_job=job).count() == 2
    assert job.entries_done == 2 and job.total == 6
    assert len(queued) == 2  # the written articles are fetched, not left for the sweeper
    assert path.exists() and job.file  # kept for a Retry

    # Retry from where it stopped: the two entries written are not handed to the saving service again.
    calls.clear()
    queued.clear()
    monkeypatch.setattr(
        importing,
        "_write_batch",
        lambda job, batch: calls.append([i.url for i in batch]) or real_write(job, batch),
    )
    from articles import importers

    real_parse, parsed = importers.parse_file, []

    def parse_spy(data, fmt, resume=None):
        for item in real_parse(data, fmt, resume=resume):
            parsed.append(item.url)
            yield item

    monkeypatch.setattr(importers, "parse_file", parse_spy)
    assert services.import_restart(user=user, import_id=job.pk)
    assert Import.objects.get(pk=job.pk).status == "pending"
    job = services.import_run(import_id=job.pk)
    assert [url for batch in calls for url in batch] == [f"https://example.com/slow{i}" for i in range(2, 6)]
    assert parsed == [f"https://example.com/slow{i}" for i in range(2, 6)]  # a CSV is entered at the offset
    assert job.status == "done" and job.error == "" and job.entries_done == 6
    assert job.created_count == 6 and job.duplicate_count == 0
    assert Article.objects.filter(import_job=job).count() == 6 and len(queued) == 4
    assert not path.exists() and not job.file  # deleted at the final end
    assert not services.import_restart(user=user, import_id=job.pk)  # done: nothing to continue


def test_sweeper_ends_an_import_whose_worker_died(user, settings):
    from datetime import timedelta

    from django.utils import timezone

    job = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    started = timezone.now() - timedelta(seconds=settings.FOLIO_IMPORT_RUN_STALE_AFTER - 60)
    Import.objects.filter(pk=job.pk).update(status="running", started_at=started)
    services.import_requeue_stale()
    assert Import.objects.get(pk=job.pk).status == "running"  # still within its time
    Import.objects.filter(pk=job.pk).update(started_at=started - timedelta(seconds=120))
    services.import_requeue_stale()
    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.error and job.file  # kept for a Retry
    path = Path(job.file.path)
    services.import_requeue_stale()
    assert Import.objects.get(pk=job.pk).file and path.exists()
    finished = timezone.now() - timedelta(seconds=settings.FOLIO_IMPORT_KEEP_FAILED + 60)
    Import.objects.filter(pk=job.pk).update(finished_at=finished)
    services.import_requeue_stale()  # not retried in time: given up, the file deleted
    job.refresh_from_db()
    assert not job.file and not path.exists() and not services.import_can_restart(job)


def test_cancel_a_running_import_stops_it_before_the_next_batch(user, settings, monkeypatch):
    from articles.services import importing

    settings.FOLIO_IMPORT_BATCH_SIZE = 2
    rows = "".join(f"Title {i},https://example.com/cancel{i},1700000000,,unread\n" for i in range(6))
    job = services.import_create(
        user=user,
        data=("title,url,time_added,tags,status\n" + rows).encode(),
        filename="c.csv",
        enqueue=False,
    )
    real_write = importing._write_batch

    def write_then_cancel(job, batch):
        ids = real_write(job, batch)
        assert services.import_cancel(user=user, import_id=job.pk)  # the person presses Cancel meanwhile
        return ids

    monkeypatch.setattr(importing, "_write_batch", write_then_cancel)
    job = services.import_run(import_id=job.pk)
    assert job.status == "failed" and job.error == importing.CANCELLED_REASON
    assert job.created_count == 2 and Article.objects.filter(import_job=job).count() == 2
    assert not job.file
    assert not services.import_cancel(user=user, import_id=job.pk)  # already ended


def test_cancel_a_waiting_import_from_the_page(client_logged_in, user, other_user):
    job = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    path = Path(job.file.path)
    page = client_logged_in.get("/imports/").content.decode()
    assert f"/imports/{job.pk}/cancel/" in page
    response = client_logged_in.post(f"/imports/{job.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "You cancelled this import" in response.content.decode()
    assert Import.objects.get(pk=job.pk).status == "failed" and not path.exists()
    assert services.import_run(import_id=job.pk) is None  # a task still in the queue does nothing
    theirs = services.import_create(
        user=other_user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    assert client_logged_in.post(f"/imports/{theirs.pk}/cancel/").status_code == 404
    assert Import.objects.get(pk=theirs.pk).status == "pending"


def test_retry_and_give_up_from_the_page(client_logged_in, user, other_user):
    """A failed import kept for a Retry shows both buttons; Retry queues it again, Give up deletes its file;
    someone else's import answers 404."""
    from articles.services import importing

    job = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    path = Path(job.file.path)
    Import.objects.filter(pk=job.pk).update(status="failed", error=importing.stopped_reason(), entries_done=1)
    page = client_logged_in.get("/imports/").content.decode()
    assert f"/imports/{job.pk}/restart/" in page and "Retry from where it stopped" in page
    assert "Give up this import" in page
    response = client_logged_in.post(f"/imports/{job.pk}/restart/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Import.objects.get(pk=job.pk).status == "pending" and path.exists()
    job = services.import_run(import_id=job.pk)
    assert job.status == "done" and job.entries_done == job.total and not path.exists()

    theirs = services.import_create(
        user=other_user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    Import.objects.filter(pk=theirs.pk).update(status="failed")
    assert client_logged_in.post(f"/imports/{theirs.pk}/restart/").status_code == 404
    assert Import.objects.get(pk=theirs.pk).status == "failed"

    mine = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="q.csv", enqueue=False
    )
    mine_path = Path(mine.file.path)
    Import.objects.filter(pk=mine.pk).update(status="failed", error=importing.error_reason())
    response = client_logged_in.post(f"/imports/{mine.pk}/cancel/")
    assert response.status_code == 302 and not mine_path.exists()
    mine.refresh_from_db()
    assert mine.error == importing.CANCELLED_REASON and not services.import_can_restart(mine)
    assert client_logged_in.post(f"/imports/{mine.pk}/restart/").status_code == 302
    assert Import.objects.get(pk=mine.pk).status == "failed"


def test_large_csv_is_streamed_not_held_whole(user, settings, monkeypatch):
    """The run hands the parser the stored file, not its bytes, and never holds more than one batch of
    entries: every batch the saving service gets is at most FOLIO_IMPORT_BATCH_SIZE long, and it gets the
    first batch before the parser has read the end of the file."""
    from articles import importers
    from articles.services import importing

    settings.FOLIO_IMPORT_BATCH_SIZE = 50
    rows = "".join(f"T{i},https://h{i % 7}.example/s{i},1700000000,,unread\n" for i in range(400))
    job = services.import_create(
        user=user,
        data=("title,url,time_added,tags,status\n" + rows).encode(),
        filename="big.csv",
        enqueue=False,
    )
    sources, parsed, seen_at_write = [], [], []
    real_parse, real_write = importers.parse_file, importing._write_batch

    def parse_spy(data, fmt, resume=None):
        sources.append(type(data))
        for item in real_parse(data, fmt, resume=resume):
            parsed.append(item.url)
            yield item

    def write_spy(job, batch):
        seen_at_write.append((len(batch), len(parsed)))
        return real_write(job, batch)

    monkeypatch.setattr(importers, "parse_file", parse_spy)
    monkeypatch.setattr(importing, "_write_batch", write_spy)
    job = services.import_run(import_id=job.pk)
    assert job.status == "done" and job.created_count == 400 and job.entries_done == 400
    assert all(not issubclass(kind, bytes) for kind in sources)
    assert all(size <= 50 for size, _ in seen_at_write)
    counting_pass = 400
    assert seen_at_write[0][1] < counting_pass + 400  # the first batch was written mid-file


def test_retry_whose_file_is_gone_ends_with_a_reason(user):
    """A Retry whose uploaded file is no longer there (deleted from the storage meanwhile) ends the import
    failed with a reason instead of an error."""
    from articles.services import importing

    job = services.import_create(
        user=user, data=(SAMPLES / "pocket.csv").read_bytes(), filename="p.csv", enqueue=False
    )
    Import.objects.filter(pk=job.pk).update(status="failed", error=importing.stopped_reason())
    assert services.import_restart(user=user, import_id=job.pk)
    importing._discard_file(job)
    job = services.import_run(import_id=job.pk)
    assert job.status == "failed" and "no longer has the file" in job.error
    assert Article.objects.filter(import_job=job).count() == 0 and not services.import_can_restart(job)
