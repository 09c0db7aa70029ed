"""App configuration of ``automation``: connects its receivers to the articles' domain events."""

from django.apps import AppConfig


class AutomationConfig(AppConfig):
    """Tagging rules (run on ``article.ready``) and webhooks (every event), both hung on
    ``articles.services.events.article_event``."""

    name = "automation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from articles.services.events import article_event

        from .services.receivers import queue_webhooks, run_rules

        article_event.connect(run_rules, dispatch_uid="automation_run_rules")
        article_event.connect(queue_webhooks, dispatch_uid="automation_queue_webhooks")
