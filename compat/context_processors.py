"""``feed_link``: the Atom feed of the library view on screen, for ``<link rel="alternate">`` in
base.html. The feed token comes with the user (articles.auth.FolioModelBackend joins it), so the link costs
no query."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

#: Library pages (url names of articles.urls) -> feed view.
PAGE_VIEWS = {
    "library": "unread",
    "continue": "continue",
    "favorites": "favorites",
    "archive": "archive",
    "all": "all",
}


def feed_link(request: HttpRequest) -> dict:
    """``{"feed_link": {"url", "title"} or None}`` (evaluated when the template reads it)."""

    def find():
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated or match.namespace != "articles":
            return None
        view = PAGE_VIEWS.get(match.url_name or "")
        tag_id = match.kwargs.get("tag_id") if match.url_name == "tag" else None
        if view is None and tag_id is None:
            return None
        from .feeds import feed_url
        from .models import FeedToken

        try:
            key = user.feed_token.key  # loaded with the user (articles.auth.FolioModelBackend): no query
        except FeedToken.DoesNotExist:
            return None
        return {
            "url": feed_url(request, key, view=view or "", tag_id=tag_id),
            "title": "Folio feed of this view",
        }

    return {"feed_link": SimpleLazyObject(find)}
