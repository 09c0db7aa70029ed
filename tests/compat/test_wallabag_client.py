"""A real third-party wallabag client (wallabag-client from PyPI, the ``wallabag`` command) run as a
process against the live Folio server, with a real Celery worker: it authenticates (its GET token
request), adds, lists, shows, marks read and starred, tags, exports and deletes an entry."""

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from articles.models import Article
from articles.services import oauth_client_create
from tests.factories import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WALLABAG = str(Path(sys.executable).with_name("wallabag"))


def _configure(path: Path, server: str, client_id: str, secret: str) -> None:
    """Write the client's configuration file as ``wallabag config`` does (its Configs class encrypts the
    password and the secret with its own key)."""
    from wallabag.config import Configs, Options, Sections

    config = Configs(str(path))
    config.set(Sections.API, Options.SERVERURL, server)
    config.set(Sections.API, Options.USERNAME, "reader")
    config.set(Sections.API, Options.PASSWORD, PASSWORD)
    config.set(Sections.OAUTH2, Options.CLIENT, client_id)
    config.set(Sections.OAUTH2, Options.SECRET, secret)
    config.save(str(path))


def _wait_ready(pk: int, timeout: float = 90) -> Article:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        article = Article.objects.get(pk=pk)
        if article.status in (Article.Status.READY, Article.Status.FAILED):
            return article
        time.sleep(0.3)
    return Article.objects.get(pk=pk)


def test_wallabag_client_works_against_folio(live_server, user, page_server, celery_worker_process, tmp_path):
    application, secret = oauth_client_create(user=user, name="wallabag-client")
    config = tmp_path / "config.ini"
    _configure(config, live_server.url, application.client_id, secret)

    def wallabag(*args: str) -> str:
        result = subprocess.run(
            [WALLABAG, "--config", str(config), "--no-spinner", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={"HOME": str(tmp_path), "PATH": str(Path(sys.executable).parent), "TERM": "dumb"},
            check=False,
        )
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Error" not in result.stdout, (args, result.stdout)
        return result.stdout

    url = page_server.url("/seed/voz-russia-taliban.html")
    added = wallabag("add", "--tags", "world,news", url)
    assert "Entry successfully added" in added
    article = Article.objects.get(user=user)
    assert article.origin == Article.Origin.APP
    assert sorted(t.name for t in article.tags.all()) == ["news", "world"]
    article = _wait_ready(article.pk)
    assert article.status == Article.Status.READY, article.failure_reason

    listed = wallabag("list", "--quantity", "10")
    assert str(article.pk) in listed and article.title[:20] in listed
    shown = wallabag("show", "--raw", "--no-color", str(article.pk))
    assert article.title in shown and article.content_text.split()[5] in shown
    info = wallabag("info", str(article.pk))
    assert article.title in info

    wallabag("update", "--read", "--starred", str(article.pk))
    article.refresh_from_db()
    assert article.is_archived and article.is_favorite and article.read_at is not None

    wallabag("tags", "-c", "add", "-e", str(article.pk), "-t", "later")
    assert "later" in {t.name for t in article.tags.all()}
    assert "later" in wallabag("tags")

    exported = wallabag("export", "-f", "epub", "-o", str(tmp_path / "out"), str(article.pk))
    assert "Exported to" in exported
    (book,) = (tmp_path / "out").glob("*.epub")
    assert zipfile.ZipFile(io.BytesIO(book.read_bytes())).read("mimetype") == b"application/epub+zip"

    wallabag("delete", "--force", str(article.pk))
    article.refresh_from_db()
    assert article.deleted_at is not None
