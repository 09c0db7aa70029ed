"""Duplicates: one article per normalized URL per user, matched on the given, final and canonical URL, also
when
ten saves of the same article arrive at once (the unique constraint decides, not a check-then-insert)."""

import threading

import pytest
from django.db import connection, connections

from articles import services
from articles.models import Article
from tests.brokers import CLOSED_BROKER, publishing_to

SAVES = 10


def _save_concurrently(user, urls):
    """Run article_save_url for each URL in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(urls))
    results, errors = [], []

    def save(url):
        try:
            barrier.wait(timeout=30)
            article, created = services.article_save_url(origin="form", user=user, url=url)
            results.append((article.pk, created))
        except Exception as exc:  # reported below with the thread's exception
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(url,)) for url in urls]
    # These transactional saves enqueue on commit: keep the (made-up) addresses away from any worker.
    with publishing_to(CLOSED_BROKER):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_saves_make_one_article(user):
    results = _save_concurrently(user, ["https://example.com/story"] * SAVES)
    assert len(results) == SAVES
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Article.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_saves_of_equivalent_addresses_make_one_article(user):
    variants = [
        "https://example.com/story?b=2&a=1",
        "https://EXAMPLE.com/story?a=1&b=2",
        "https://example.com:443/story?a=1&b=2#comments",
        "https://example.com/story?a=1&b=2&utm_source=feed&utm_medium=rss",
        "https://example.com/story?fbclid=XYZ&a=1&b=2",
        "https://example.com/story?a=1&gclid=abc&b=2",
        "https://example.com/story?a=1&b=2&mc_eid=123",
        "HTTPS://example.com/story?a=1&b=2",
        "https://example.com./story?a=1&b=2",
        "https://example.com/story?a=1&b=2&utm_campaign=x#top",
    ]
    results = _save_concurrently(user, variants)
    assert len({pk for pk, _ in results}) == 1
    assert Article.objects.filter(user=user).count() == 1
    assert connection.vendor in ("postgresql", "sqlite")  # both engines run this test (make test)


@pytest.mark.django_db
def test_save_of_final_or_canonical_url_returns_the_first_article(user, page_server):
    page_server.add("/short/abc", status=301, headers={"Location": "/stories/rivers?utm_source=short"})
    prose = " ".join(["Rivers shape the towns that grow beside them, and towns reshape the rivers."] * 10)
    page_server.add(
        "/stories/rivers",
        f"<html><head><title>Rivers</title>"
        f'<link rel="canonical" href="{page_server.url("/canonical/rivers")}?ref_src=tw">'
        "</head>"
        f"<body><article><h1>Rivers</h1><p>{prose}</p></article></body></html>",
    )
    first, created = services.article_save_url(origin="form", user=user, url=page_server.url("/short/abc"))
    assert created
    assert services.article_process(article_id=first.pk) == "ready"
    services.article_save_url(origin="form", user=user, url="https://example.com/other")
    for url in (
        page_server.url("/stories/rivers"),
        page_server.url("/stories/rivers?utm_medium=email#top"),
        page_server.url("/canonical/rivers"),
        page_server.url("/canonical/rivers?utm_source=x&ref_src=y"),
    ):
        again, created = services.article_save_url(origin="form", user=user, url=url)
        assert not created and again.pk == first.pk, url
        assert Article.objects.filter(user=user).first().pk == first.pk  # moved to the top of Unread
    assert Article.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_duplicate_save_brings_an_archived_read_article_back_to_unread(user):
    from django.utils import timezone

    article, _ = services.article_save_url(origin="form", user=user, url="https://example.com/a")
    Article.objects.filter(pk=article.pk).update(is_archived=True, read_at=timezone.now())
    again, created = services.article_save_url(
        origin="form", user=user, url="https://example.com/a?utm_source=x"
    )
    again.refresh_from_db()
    assert not created and not again.is_archived and again.read_at is None


@pytest.mark.django_db
def test_api_save_of_existing_article_answers_200_with_it(api_client):
    first = api_client.post("/api/articles/", {"url": "https://example.com/a"}, format="json")
    again = api_client.post("/api/articles/", {"url": "https://example.com/a#x"}, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
