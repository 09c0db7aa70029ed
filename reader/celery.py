"""The Celery application: configuration comes from Django settings under the ``CELERY_`` namespace.

Follows the first-steps-with-django recipe of the Celery documentation
(https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html).
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")

app = Celery("reader")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connections_as_for_a_request(**_kwargs) -> None:
    """Treat each task as Django treats a request: before and after it, close the database connections
    that are broken or older than CONN_MAX_AGE (``django.db.close_old_connections``; with
    CONN_HEALTH_CHECKS the next query first checks a kept connection). Celery's Django fixup would
    otherwise close every connection around every task (unless CELERY_DB_REUSE_MAX is set, which
    reader/settings.py does), so each article paid for a new PostgreSQL backend: connect, authenticate,
    warm the catalog caches (bench/scaleout_bench.py measures it)."""
    from django.db import close_old_connections

    close_old_connections()
