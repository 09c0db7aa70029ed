"""Folio project package; exposes the Celery app so that ``shared_task`` binds to it (Celery's Django recipe)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
