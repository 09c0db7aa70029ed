"""A dead worker on another host (issue 21.8): its claim is taken over as soon as its heartbeat key in
Redis has expired, not after FOLIO_STALE_AFTER. Real Redis in the PostgreSQL pass; the SQLite pass (no
Redis, one host) checks that nothing is taken over on a guess."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from django.utils import timezone

from articles import heartbeat
from articles.models import Article
from articles.services import processing
from tests.factories import ArticleFactory
from tests.pageserver import wait_for

pytestmark = pytest.mark.django_db


def _redis(settings) -> bool:
    return (settings.CELERY_BROKER_URL or "").startswith(("redis://", "rediss://"))


def _claimed_elsewhere(user, host: str, pid: int) -> Article:
    return ArticleFactory(
        user=user,
        status=Article.Status.FETCHING,
        claimed_by=f"{host}:{pid}:task-{uuid.uuid4().hex[:6]}",
        claimed_at=timezone.now(),
        attempts=1,
    )


def test_claimant_on_another_host_is_gone_once_its_heartbeat_expires(user, settings):
    settings.FOLIO_WORKER_HEARTBEAT_SECONDS = 1
    host, pid = f"other-{uuid.uuid4().hex[:8]}", 4242
    article = _claimed_elsewhere(user, host, pid)
    if not _redis(settings):
        assert heartbeat.alive(host, pid) is None
        assert not processing.claimant_gone(article.claimed_by)
        assert not processing._claim(article.pk, "new-task")  # the stale rule applies
        assert Article.objects.get(pk=article.pk).claimed_by.startswith(host)
        return
    assert heartbeat.beat(host, pid)
    assert heartbeat.alive(host, pid) is True
    assert not processing.claimant_gone(article.claimed_by)
    assert not processing._claim(article.pk, "new-task")  # alive elsewhere: left alone
    # The other host dies: nothing refreshes its key, which expires after its TTL.
    assert wait_for(lambda: processing.claimant_gone(article.claimed_by), timeout=20)
    assert processing._claim(article.pk, "new-task")
    taken = Article.objects.get(pk=article.pk)
    assert taken.status == Article.Status.FETCHING and taken.claimed_by.startswith(socket.gethostname())


def test_claiming_keeps_this_process_heartbeat(user, settings):
    article = ArticleFactory(user=user)
    assert processing._claim(article.pk, "t")
    expected = True if _redis(settings) else None
    assert heartbeat.alive(socket.gethostname(), os.getpid()) is expected


def test_unknown_when_redis_is_down(user, settings):
    """Redis unreachable: a claimant elsewhere is not declared dead on a guess."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    article = _claimed_elsewhere(user, f"other-{uuid.uuid4().hex[:8]}", 77)
    assert heartbeat.alive("other", 77) is None
    assert not processing.claimant_gone(article.claimed_by)
