"""Saving by URL and with browser HTML: validation, dedupe, tags, enqueue on commit."""

import pytest

from articles import services
from articles.errors import ArticleError, InvalidURLError, PageTooLargeError
from articles.models import Article

pytestmark = pytest.mark.django_db


def test_save_creates_queued_article_with_tags(user):
    article, created = services.article_save_url(
        origin="form", user=user, url="https://example.com/a", tags=["News", " news ", "Long reads"]
    )
    assert created and article.status == "queued"
    assert sorted(t.name for t in article.tags.all()) == ["Long reads", "News"]


def test_same_url_returns_existing_and_moves_it_to_top(user):
    first, _ = services.article_save_url(origin="form", user=user, url="https://example.com/a?utm_source=x")
    services.article_save_url(origin="form", user=user, url="https://example.com/b")
    again, created = services.article_save_url(
        origin="form", user=user, url="https://EXAMPLE.com/a#top", tags=["later"]
    )
    assert not created and again.pk == first.pk
    assert Article.objects.filter(user=user).first().pk == first.pk
    assert [t.name for t in again.tags.all()] == ["later"]


def test_users_do_not_share_articles(user, other_user):
    a, _ = services.article_save_url(origin="form", user=user, url="https://example.com/a")
    b, created = services.article_save_url(origin="form", user=other_user, url="https://example.com/a")
    assert created and a.pk != b.pk


@pytest.mark.parametrize(
    "url", ["", "not a url", "javascript:alert(1)", "ftp://example.com/x", "http://exa mple.com/x"]
)
def test_invalid_urls_rejected(user, url):
    with pytest.raises(InvalidURLError):
        services.article_save_url(origin="form", user=user, url=url)
    assert not Article.objects.exists()


def test_enqueue_happens_on_commit(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.article_save_url(origin="form", user=user, url="https://example.com/a")
    assert len(callbacks) == 2  # the processing task and the article.saved event (services.events)


def test_page_over_cap_refused(user, settings):
    settings.FOLIO_PAGE_MAX_BYTES = 1000
    with pytest.raises(PageTooLargeError, match="larger than"):
        services.article_save_page(
            origin="bookmarklet", user=user, url="https://example.com/a", html="x" * 2000
        )
    assert not Article.objects.exists()


def test_saving_a_failed_article_again_queues_it(user, django_capture_on_commit_callbacks):
    article, _ = services.article_save_url(origin="form", user=user, url="https://example.com/a")
    Article.objects.filter(pk=article.pk).update(
        status="failed", failure_reason="The server answered 503.", attempts=5
    )
    with django_capture_on_commit_callbacks() as callbacks:
        again, created = services.article_save_url(origin="form", user=user, url="https://example.com/a")
    assert not created and again.pk == article.pk and len(callbacks) == 1
    article.refresh_from_db()
    assert article.status == "queued" and article.failure_reason == "" and article.attempts == 0


def test_saving_a_ready_article_again_does_not_refetch(user, django_capture_on_commit_callbacks):
    article, _ = services.article_save_url(origin="form", user=user, url="https://example.com/a")
    Article.objects.filter(pk=article.pk).update(status="ready")
    with django_capture_on_commit_callbacks() as callbacks:
        services.article_save_url(origin="form", user=user, url="https://example.com/a")
    assert callbacks == []


# --- origin, stated metadata, states ------------------------------------------------------------------------

SEED_PAGE = (
    "<html lang='en'><head><title>Extracted title</title><meta name='author' content='Extracted Author'>"
    "<meta property='og:site_name' content='Extracted Site'></head><body><article><h1>Extracted title</h1>"
    + "<p>A paragraph of the article with enough words to be kept by the extractor, surely.</p>" * 12
    + "</article></body></html>"
)


def test_origin_is_recorded_and_kept_on_a_second_save(user):
    article, _ = services.article_save_url(origin="app", user=user, url="https://example.com/o")
    assert article.origin == "app"
    services.article_save_url(origin="form", user=user, url="https://example.com/o")
    assert Article.objects.get(pk=article.pk).origin == "app"
    with pytest.raises(ValueError):
        services.article_save_url(origin="carrier pigeon", user=user, url="https://example.com/p")


def test_stated_metadata_wins_over_extraction(user):
    metadata = {
        "title": "  The  stated title ",
        "author": "Ada Lovelace",
        "published": "2024-03-05T10:00:00+01:00",
        "language": "fr",
        "lead_image": "https://example.com/picture.jpg",
        "site_name": "Newsletter of Ada",
    }
    article, _ = services.article_save_page(
        origin="email", user=user, url="https://example.com/m", html=SEED_PAGE, metadata=metadata
    )
    assert article.title == "The stated title" and article.search_config == "french"
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert (article.title, article.author, article.site_name, article.language) == (
        "The stated title",
        "Ada Lovelace",
        "Newsletter of Ada",
        "fr",
    )
    assert article.published.isoformat() == "2024-03-05" and article.lead_image.endswith("picture.jpg")
    assert article.search_config == "french" and article.content_hash and article.word_count > 10
    assert sorted(article.stated_fields) == sorted(metadata)


def test_provisional_title_gives_way_to_extraction(user):
    article, _ = services.article_save_page(
        origin="bookmarklet", user=user, url="https://example.com/t", html=SEED_PAGE, title="Tab title"
    )
    assert article.title == "Tab title" and article.stated_fields == []
    services.article_process(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).title == "Extracted title"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"published": "last Tuesday"}, "not a date"),
        ({"lead_image": "javascript:alert(1)"}, "http"),
        ({"colour": "blue"}, "Unknown metadata"),
    ],
)
def test_bad_metadata_is_refused_and_nothing_saved(user, metadata, message):
    with pytest.raises(ArticleError, match=message):
        services.article_save_url(origin="app", user=user, url="https://example.com/b", metadata=metadata)
    assert not Article.objects.exists()


def test_title_edited_while_queued_survives_processing(user):
    """Issue 21 item 7: the worker never overwrites a title the person set."""
    article, _ = services.article_save_page(
        origin="bookmarklet", user=user, url="https://example.com/e", html=SEED_PAGE
    )
    services.article_update(user=user, pk=article.pk, title="My own title")
    assert services.article_process(article_id=article.pk) == "ready"
    article.refresh_from_db()
    assert article.title == "My own title" and article.author == "Extracted Author"
    services.article_retry(user=user, ids=[article.pk])  # a refetch keeps it too
    services.article_process(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).title == "My own title"


def test_title_edited_during_extraction_survives(user, monkeypatch):
    """The edit lands after the worker read the row and before it writes: the store re-reads the stated
    fields under a row lock, so the edit still wins."""
    from articles.services import processing

    article, _ = services.article_save_page(
        origin="bookmarklet", user=user, url="https://example.com/r", html=SEED_PAGE
    )
    real_clean = processing.sanitizing.clean

    def clean_then_edit(html, base_url):
        services.article_update(user=user, pk=article.pk, title="Edited meanwhile")
        return real_clean(html, base_url)

    monkeypatch.setattr(processing.sanitizing, "clean", clean_then_edit)
    assert services.article_process(article_id=article.pk) == "ready"
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Edited meanwhile" and stored.status == "ready" and stored.content_hash


def test_states_given_at_save(user):
    article, _ = services.article_save_url(
        origin="app", user=user, url="https://example.com/s", is_archived=True, is_read=True, is_favorite=True
    )
    assert article.is_archived and article.is_read and article.is_favorite
    again, created = services.article_save_url(origin="app", user=user, url="https://example.com/s")
    assert not created and not again.is_archived and not again.is_read  # saved again: back to Unread
    again, _ = services.article_save_url(
        origin="app", user=user, url="https://example.com/s", is_archived=True
    )
    stored = Article.objects.get(pk=again.pk)
    assert stored.is_archived and stored.read_at is None and stored.is_favorite


# --- many at once -------------------------------------------------------------------------------------------


def test_save_many_is_a_fixed_number_of_queries(user, django_assert_max_num_queries):
    from articles.importers import HighlightItem, ImportItem

    services.article_save_url(origin="form", user=user, url="https://example.com/known")

    def entries(n):
        return [
            ImportItem(
                url=f"https://site{i % 7}.example/{i}",
                title=f"Entry {i}",
                tags=["feed", f"t{i % 3}"],
                highlights=[HighlightItem(quote="a quote")] if i % 2 else [],
            )
            for i in range(n)
        ]

    with django_assert_max_num_queries(9):
        small = services.article_save_many(user=user, entries=entries(5), origin="feed", queue_fetch=False)
    batch = [*entries(60), ImportItem(url="https://example.com/known"), ImportItem(url="ftp://x")]
    with django_assert_max_num_queries(9):
        result = services.article_save_many(user=user, entries=batch, origin="feed", queue_fetch=False)
    assert len(small.created) == 5 and len(result.created) == 55 and result.duplicates == 6
    assert [reason for _, reason in result.failures] == ["Folio saves http and https addresses only."]
    assert set(Article.objects.filter(origin="feed").values_list("status", flat=True)) == {"queued"}
    assert sorted(result.to_fetch) == sorted(result.created)


def test_save_many_queues_fetches_on_commit(user, django_capture_on_commit_callbacks, settings):
    from articles.importers import ImportItem

    settings.FOLIO_IMPORT_BATCH_SIZE = 2
    with django_capture_on_commit_callbacks() as callbacks:
        result = services.article_save_many(
            user=user, entries=[ImportItem(url=f"https://example.com/{i}") for i in range(5)], origin="feed"
        )
    # one message per chunk of 2, and the article.saved events (services.events)
    assert len(result.to_fetch) == 5 and len(callbacks) == 3 + 1
