"""articles.compiled: a queryset compiled once answers like the ORM for any values, on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.db.models import Exists
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.compiled import CompiledQuery, IPAddress
from articles.models import ApiToken, Article
from articles.services.account import api_token_create
from articles.tokens import token_digest
from tests.conftest import kill_django_backend
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _fields(article: Article) -> dict:
    return {
        f.attname: getattr(article, f.attname)
        for f in Article._meta.concrete_fields
        if f.attname != "content_html"
    }


def test_fetch_returns_what_the_orm_returns_for_each_value(user, other_user):
    for owner in (user, other_user):
        for n in range(3):
            ArticleFactory(user=owner, url=f"https://example.com/{n}", title=f"T{n}")
    query = CompiledQuery(
        lambda user_id, key: Article.objects.filter(user_id=user_id, url_key=key).defer("content_html"),
        int,
        str,
    )
    keys = [*sorted(set(Article.objects.values_list("url_key", flat=True))), "https://nowhere.example/"]
    assert len(keys) == 4
    for owner in (user, other_user):
        for key in keys:
            found = query.fetch(owner.pk, key)
            expected = list(Article.objects.filter(user_id=owner.pk, url_key=key))
            assert [_fields(a) for a in found] == [_fields(a) for a in expected]
            assert len(found) == (0 if "nowhere" in key else 1)
            for article in found:
                assert "content_html" in article.get_deferred_fields()  # deferred, as the ORM leaves it
                assert article.saved_at.tzinfo is not None  # converters applied (SQLite stores text)


def test_select_related_and_an_exists_on_times_and_addresses(user):
    key = api_token_create(user=user, name="t")[1]
    now = timezone.now()
    query = CompiledQuery(
        lambda digest, name, address, since: (
            ApiToken.objects.select_related("user")
            .filter(digest=digest)
            .filter(
                ~Exists(
                    AccessAttempt.objects.filter(username=name, ip_address=address, attempt_time__gte=since)
                )
            )
        ),
        str,
        str,
        IPAddress,
        dt.datetime,
    )
    args = (token_digest(key), "api-token@203.0.113.5", "203.0.113.5")
    [token] = query.fetch(*args, now - dt.timedelta(hours=1))
    with CaptureQueriesContext(connection) as ctx:
        assert token.user.username == user.username  # came with the token
    assert not ctx.captured_queries
    AccessAttempt.objects.create(
        username=args[1], ip_address=args[2], user_agent="", attempt_time=now, failures_since_start=1
    )
    assert query.fetch(*args, now - dt.timedelta(hours=1)) == []
    assert len(query.fetch(*args, now + dt.timedelta(seconds=1))) == 1  # the failure is older than that
    # Each value is bound, not frozen at the compilation: another address or another name finds no failure.
    assert len(query.fetch(args[0], args[1], "198.51.100.7", now - dt.timedelta(hours=1))) == 1
    assert len(query.fetch(args[0], "someone-else", args[2], now - dt.timedelta(hours=1))) == 1
    assert query.fetch(token_digest("another key"), *args[1:], now + dt.timedelta(seconds=1)) == []


def test_a_value_the_lookup_rewrites_is_refused_when_compiled(user):
    query = CompiledQuery(lambda word: Article.objects.filter(title__icontains=word), str)
    with pytest.raises(ValueError, match="do not reach the SQL"):
        query.fetch("rivers")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reads_are_prepared_once_per_connection(user):
    """Issue 20: the statement is prepared on the connection (Django leaves psycopg's preparation off,
    which refused ``prepare=True`` too) and then only executed; Django's own statements are not prepared."""
    query = CompiledQuery(lambda user_id: Article.objects.filter(user_id=user_id), int)
    ArticleFactory(user=user)
    for _ in range(3):
        assert len(query.fetch(user.pk)) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1 and 'FROM "articles_article"' in prepared[0], prepared


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_read_of_a_request_stands_in_for_the_health_check(user, monkeypatch):
    """The first read on a kept connection (a request's token lookup) is the health check: no ``SELECT 1``
    before it; when the connection turns out dead (the server restarted), the read runs again on a new
    connection and answers, as Django's check would have let it."""
    query = CompiledQuery(lambda user_id: Article.objects.filter(user_id=user_id), int)
    ArticleFactory(user=user)
    assert connection.health_check_enabled
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    connection.close_if_unusable_or_obsolete()  # a request begins: the next statement would check first
    assert len(query.fetch(user.pk)) == 1
    assert not checks and connection.health_check_done
    monkeypatch.undo()
    kill_django_backend()
    connection.close_if_unusable_or_obsolete()
    assert len(query.fetch(user.pk)) == 1  # on a new connection
