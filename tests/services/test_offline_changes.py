"""The newest change wins (issue 12, offline reading): a change made offline is sent later with the time it
was made; articles.services.library keeps it only when it is newer than what the server has."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_an_older_offline_mark_loses_to_a_newer_online_one(user):
    article = ArticleFactory(user=user)
    services.article_read_bulk(user=user, ids=[article.pk], value=True)  # online, now
    services.article_read_bulk(user=user, ids=[article.pk], value=False, changed_at=ago(60))  # offline, older
    services.article_archive_bulk(user=user, ids=[article.pk], changed_at=ago(60))
    article.refresh_from_db()
    assert article.read_at is not None and not article.is_archived


def test_a_newer_offline_mark_wins_and_stamps_its_own_time(user):
    article = ArticleFactory(user=user)
    services.article_favorite_bulk(user=user, ids=[article.pk], changed_at=ago(120))
    when = ago(30)
    assert services.article_read_bulk(user=user, ids=[article.pk], value=True, changed_at=when) == 1
    article.refresh_from_db()
    assert article.is_favorite and article.read_at == when and article.marks_changed_at == when


def test_an_older_offline_position_is_ignored_and_a_newer_one_kept(user):
    article = ArticleFactory(user=user)
    services.article_update(user=user, pk=article.pk, progress_percent=40.0, progress_paragraph=4)
    services.article_update(
        user=user, pk=article.pk, progress_percent=10.0, progress_paragraph=1, changed_at=ago(60)
    )
    article.refresh_from_db()
    assert (article.progress_percent, article.progress_paragraph) == (40.0, 4)
    later = timezone.now() + dt.timedelta(seconds=1)
    services.article_update(user=user, pk=article.pk, progress_percent=60.0, changed_at=later)
    article.refresh_from_db()
    assert article.progress_percent == 60.0
    assert article.progress_updated_at <= timezone.now()  # a clock running ahead is capped at the server's


def test_finishing_offline_does_not_mark_read_after_a_newer_unread(user):
    article = ArticleFactory(user=user)
    services.article_update(user=user, pk=article.pk, progress_percent=10.0, changed_at=ago(120))
    services.article_read_bulk(user=user, ids=[article.pk], value=False)  # online, now
    services.article_update(user=user, pk=article.pk, progress_percent=100.0, changed_at=ago(60))
    article.refresh_from_db()
    assert article.read_at is None


def test_offline_change_through_the_views_carries_its_time(client_logged_in, user):
    article = ArticleFactory(user=user)
    services.article_archive_bulk(user=user, ids=[article.pk])  # online, now
    stale_ms = str(int(ago(300).timestamp() * 1000))
    client_logged_in.post(
        "/articles/actions/",
        {"action": "unarchive", "ids": [article.pk]},
        HTTP_X_FOLIO_CHANGED_AT=stale_ms,
    )
    client_logged_in.post(
        f"/articles/{article.pk}/progress/",
        {"percent": "30", "paragraph": "3"},
        HTTP_X_FOLIO_CHANGED_AT=stale_ms,
    )
    article = Article.objects.get(pk=article.pk)
    assert article.is_archived and article.progress_percent == 30.0  # no newer position on the server
    older_ms = str(int(ago(600).timestamp() * 1000))
    client_logged_in.post(
        f"/articles/{article.pk}/progress/",
        {"percent": "20", "paragraph": "2"},
        HTTP_X_FOLIO_CHANGED_AT=older_ms,
    )
    assert Article.objects.get(pk=article.pk).progress_percent == 30.0
