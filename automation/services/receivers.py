"""The automation app's receiver of the articles' domain events (articles.services.events)."""

from __future__ import annotations

from articles.services.events import ARTICLE_READY

from .rules import rules_run_on_arrival
from .webhooks import webhooks_dispatch


def on_article_event(
    sender: object, *, event: str, user_id: int, article_id: int, highlight_id: int | None = None, **kwargs
) -> None:
    """Run the tagging rules on an article that became ready (only then: the rules' own actions emit
    other events, so rules never trigger rules), then queue the event for the person's webhooks. The
    rules' actions emit their own events first, so a webhook sees ``article.archived`` by a rule before
    ``article.ready``."""
    if event == ARTICLE_READY:
        rules_run_on_arrival(user_id=user_id, article_id=article_id)
    webhooks_dispatch(event=event, user_id=user_id, article_id=article_id, highlight_id=highlight_id)
