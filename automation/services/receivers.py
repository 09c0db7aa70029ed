"""The automation app's receivers of the articles' domain events (articles.services.events). Two
receivers, so that a failure in one (logged by the signal's send_robust) never stops the other."""

from __future__ import annotations

from articles.services.events import ARTICLE_READY

from .rules import rules_run_on_arrival
from .webhooks import webhooks_dispatch


def run_rules(sender: object, *, event: str, user_id: int, article_id: int, **kwargs) -> None:
    """Run the tagging rules on an article that became ready; only then: the rules' own actions emit
    other events (archived, favorited), never ``article.ready``, so rules never trigger rules."""
    if event == ARTICLE_READY:
        rules_run_on_arrival(user_id=user_id, article_id=article_id)


def queue_webhooks(
    sender: object, *, event: str, user_id: int, article_id: int, highlight_id: int | None = None, **kwargs
) -> None:
    """Queue the event for the person's webhooks that chose it. Connected after ``run_rules``, so the
    events a rule's actions cause on arrival are queued before that ``article.ready``."""
    webhooks_dispatch(event=event, user_id=user_id, article_id=article_id, highlight_id=highlight_id)
