"""A lost database connection (issue 21.8): PostgreSQL kills the backend of Django's connection, as a
restart does, and the next save still lands (retried once on a new connection), exactly once; an API call
whose database is unavailable answers JSON, never Django's HTML error page."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from articles import services
from articles.api.conventions import api_exception_handler, server_error
from articles.models import Article
from tests.conftest import kill_django_backend

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.mark.postgres
def test_save_survives_a_killed_database_connection(user, settings, caplog):
    settings.FOLIO_DB_RETRY_SECONDS = 2
    kill_django_backend()
    article, created = services.article_save_url(
        origin="api", user=user, url="https://example.com/after-restart"
    )
    assert "database connection lost" in caplog.text  # the first try met the dead connection
    assert created and Article.objects.filter(user=user).count() == 1
    assert Article.objects.get(pk=article.pk).status == Article.Status.QUEUED


@pytest.mark.postgres
def test_save_gives_up_after_the_retry_budget(user, settings, monkeypatch):
    """When the database stays away the save raises (the face answers an error) instead of hanging."""
    from articles.services import dbretry

    settings.FOLIO_DB_RETRY_SECONDS = 0.3
    waits = []
    monkeypatch.setattr(dbretry.time, "sleep", waits.append)
    real_close = connection.close

    def close_then_kill():
        real_close()
        kill_django_backend()  # every new connection is killed again before it is used

    monkeypatch.setattr(connection, "close", close_then_kill)
    kill_django_backend()
    with pytest.raises(OperationalError):
        services.article_save_url(origin="api", user=user, url="https://example.com/never")
    monkeypatch.undo()
    connection.close()
    assert waits == [0.25]
    assert not Article.objects.filter(url="https://example.com/never").exists()


def test_api_database_error_is_json_503():
    response = api_exception_handler(OperationalError("server closed the connection unexpectedly"), {})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.data["error"] == "unavailable"


def test_api_server_error_is_json_and_pages_keep_the_html_page():
    factory = RequestFactory()
    answer = server_error(factory.post("/api/articles/"))
    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"
    assert json.loads(answer.content)["error"] == "server_error"
    page = server_error(factory.get("/"))
    assert page.status_code == 500 and "application/json" not in page["Content-Type"]
