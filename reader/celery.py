"""The Celery application: configuration comes from Django settings under the ``CELERY_`` namespace.

Follows the first-steps-with-django recipe of the Celery documentation
(https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")

app = Celery("reader")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
