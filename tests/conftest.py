"""Shared fixtures: users, logged-in clients, the local page server, settings for tests, a real Celery worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from reader.envparse import parse_networks
from tests.pageserver import PageServer

ROOT = Path(__file__).resolve().parents[1]
LOCAL_NETWORKS = "127.0.0.0/8,::1/128"


@pytest.fixture(scope="session")
def _image_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("images")


def _flush_retrying_on_deadlock() -> None:
    """Transactional tests (live_server, transactional_db) end with Django's ``flush`` (TRUNCATE). The
    session's real worker may at that moment still be finishing a task an earlier test queued (a webhook
    retry, say) inside a transaction of its own; PostgreSQL then reports a deadlock and aborts the TRUNCATE,
    not the worker's transaction. The TRUNCATE is tried again (up to 5 times, 0.5 s apart) instead of
    failing the test that happened to end then; any other error is raised as it was."""
    from django.core.management.commands import flush

    original = flush.Command.handle
    if getattr(original, "retries_deadlock", False):
        return

    def handle(self, *args, **options):
        for attempt in range(5):
            try:
                return original(self, *args, **options)
            except Exception as exc:
                causes, cause = [], exc
                while cause is not None:
                    causes.append(str(cause))
                    cause = cause.__cause__
                if attempt == 4 or not any("deadlock detected" in text for text in causes):
                    raise
                time.sleep(0.5)
        return None

    handle.retries_deadlock = True
    flush.Command.handle = handle


_flush_retrying_on_deadlock()


#: A queue no worker reads, for the messages of tests that run without the session's worker.
UNREAD_QUEUE = f"folio-unread-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _test_settings(request, settings, _image_folder):
    """Let fetches reach the local page server; fast retries; kept images in a folder of this session.

    Once a test of this process has started the session's real worker (``celery_worker_process``), its
    queues are the process's settings; a later test that does not use that worker (a browser test that
    processes its articles in-process, say) would otherwise race it for its own articles. Such tests send
    their messages to queues no worker reads."""
    settings.FETCH_ALLOWED_NETWORKS = parse_networks(LOCAL_NETWORKS)
    settings.FOLIO_RETRY_BACKOFF = 0.2
    settings.STORAGES = {**settings.STORAGES, "images": image_folder_storage(_image_folder)}
    if "celery_worker_process" not in request.fixturenames:
        settings.CELERY_TASK_DEFAULT_QUEUE = UNREAD_QUEUE
        settings.FOLIO_IMPORT_QUEUE = f"{UNREAD_QUEUE}-import"
        settings.FOLIO_SLOW_QUEUE = f"{UNREAD_QUEUE}-slow"


def image_folder_storage(folder) -> dict:
    """A ``STORAGES`` entry keeping images in ``folder`` (as production's default, elsewhere)."""
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}


@pytest.fixture(scope="session")
def page_server():
    server = PageServer()
    yield server
    server.close()


@pytest.fixture
def user(db):
    """The person under test (password ``tests.factories.PASSWORD``)."""
    from tests.factories import UserFactory

    return UserFactory(username="reader")


@pytest.fixture
def other_user(db):
    """Another person, whose rows the tests try to reach."""
    from tests.factories import UserFactory

    return UserFactory(username="intruder")


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def api_key(user):
    from articles.services.account import api_token_create

    return api_token_create(user=user)[1]


@pytest.fixture
def api_client(api_key):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key}")
    return client


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def kill_django_backend() -> None:
    """Terminate the PostgreSQL server process behind Django's open connection from a second connection,
    as a server restart does (the connection then fails on its next statement)."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with psycopg.connect(_database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


class WorkerProcess:
    """A real ``celery worker`` process on its own queue, against the test database."""

    def __init__(self, log_path: Path, queue: str, env: dict[str, str], extra_queues: tuple[str, ...] = ()):
        self.log_path, self.queue, self.env = log_path, queue, env
        self.queues = ",".join((queue, *extra_queues))
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "reader",
                "worker",
                "-Q",
                self.queues,
                "-c",
                "2",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
                "-n",
                f"{self.queue}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(
            f"Celery worker did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}"
        )

    def kill(self) -> None:
        """SIGKILL the whole worker process group (main process and pool children)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def worker_queues_env(settings, queue: str, **extra: str) -> dict[str, str]:
    """Point this process at queues named after ``queue`` (save lane, ``-import``, ``-slow``) and return the
    environment of a worker process on them, against the test database (``extra`` overrides settings)."""
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.FOLIO_IMPORT_QUEUE = f"{queue}-import"
    settings.FOLIO_SLOW_QUEUE = f"{queue}-slow"
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FOLIO_DATA_DIR": str(settings.DATA_DIR),
        "FOLIO_QUEUE": queue,
        "FOLIO_IMPORT_QUEUE": settings.FOLIO_IMPORT_QUEUE,
        "FOLIO_SLOW_QUEUE": settings.FOLIO_SLOW_QUEUE,
        "FETCH_ALLOWED_NETWORKS": LOCAL_NETWORKS,
        "FOLIO_RETRY_BACKOFF": "0.2",
        "DJANGO_SETTINGS_MODULE": "reader.settings",
        **extra,
    }


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start a real Celery worker for this test session (one per xdist worker, each on its own queue)."""
    from django.conf import settings

    queue = f"folio-test-{uuid.uuid4().hex[:8]}"
    env = worker_queues_env(settings, queue)
    worker = WorkerProcess(
        tmp_path_factory.mktemp("worker") / "worker.log",
        queue,
        env,
        extra_queues=(settings.FOLIO_IMPORT_QUEUE, settings.FOLIO_SLOW_QUEUE),
    )
    worker.start()
    yield worker
    worker.stop()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` cover a PostgreSQL-only feature (query plans, for one): the SQLite pass of
    ``make test`` deselects them (they are reported as deselected, never skipped); the PostgreSQL pass runs
    them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
