"""The layers hold: services never import the task layer (one queue seam, ``services.enqueue``, sends tasks
by name), processing no longer imports the read side, tasks hold the retry policy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from articles.errors import RetryLater

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted((ROOT / "articles" / "services").rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved inside ``articles``)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: str(p.relative_to(ROOT)))
def test_services_never_import_tasks_or_celery_tasks(path):
    imported = _imports(path)
    assert not any(name == "articles.tasks" or name.startswith("articles.tasks.") for name in imported)
    if path.name != "enqueue.py":
        assert not any(name.startswith("celery") for name in imported), "only enqueue.py talks to Celery"


def test_processing_does_not_import_the_read_side():
    imported = _imports(ROOT / "articles" / "services" / "processing.py")
    assert not any(name.startswith("articles.search") for name in imported)


def test_every_enqueued_task_name_is_a_registered_task():
    import articles.tasks  # noqa: F401 (registers the tasks)
    from articles.services import enqueue
    from reader.celery import app

    names = [value for key, value in vars(enqueue).items() if key.endswith("_TASK")]
    # process, import run, import fetch, requeue sweep, article images, image job, export job
    assert len(names) == 7
    for name in names:
        assert name in app.tasks, name


def test_enqueue_reports_a_broker_that_is_down(settings):
    from articles.services import enqueue
    from tests.brokers import CLOSED_BROKER, publishing_to

    with publishing_to(CLOSED_BROKER):
        assert enqueue.article_process_enqueue(1) is False
        assert enqueue.import_fetch_enqueue(article_ids=[1, 2]) is False


def test_retry_policy_lives_in_tasks(settings):
    from articles.tasks import MAX_RETRY_WAIT, retry_countdown

    settings.FOLIO_RETRY_BACKOFF = 10.0
    for retries in range(6):
        wait = retry_countdown(retries, RetryLater("503", None))
        assert 10.0 * 2**retries / 2 <= wait <= min(10.0 * 2**retries, MAX_RETRY_WAIT)
    assert retry_countdown(0, RetryLater("429", retry_after=120)) >= 120
    assert retry_countdown(20, RetryLater("503")) == MAX_RETRY_WAIT
    for _ in range(20):  # a busy site: short, jittered, not growing
        assert 3.0 <= retry_countdown(9, RetryLater("busy", retry_after=3.0, backoff=False)) <= 6.0


def test_enqueued_messages_leave_time_limits_to_the_worker(monkeypatch, settings):
    """send_task would copy the locally bound task's limits (frozen from this process's settings) into the
    message; the worker's own limits must apply (a test that once lowered the soft limit to 1 s made every
    later message carry it)."""
    from celery import current_app

    import articles.tasks  # noqa: F401 (binds the tasks locally, as in a web process)
    from articles.services import enqueue

    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, **options: sent.append((name, options)))
    assert enqueue.article_process_enqueue(7, countdown=3)
    name, options = sent[0]
    assert name == enqueue.ARTICLE_PROCESS_TASK and options["args"] == [7] and options["countdown"] == 3
    assert options["soft_time_limit"] is None and options["time_limit"] is None
    assert options["queue"] == settings.CELERY_TASK_DEFAULT_QUEUE
