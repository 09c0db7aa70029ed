"""Saved searches: a query kept under a name, shown in the sidebar with its current count."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext

from ..errors import ArticleError
from ..limits import SAVED_SEARCH_NAME_MAX_LENGTH, SAVED_SEARCH_QUERY_MAX_LENGTH
from ..models import SavedSearch

MAX_NAME_LENGTH = SAVED_SEARCH_NAME_MAX_LENGTH
MAX_QUERY_LENGTH = SAVED_SEARCH_QUERY_MAX_LENGTH


def saved_search_create(*, user: User, name: str, query: str) -> SavedSearch:
    """Save ``query`` under ``name`` (a search saved again under the same name takes the new query).

    Raises ArticleError for an empty or too long name or query.
    """
    name = " ".join((name or "").split())
    query = (query or "").strip()
    if not name:
        raise ArticleError(gettext("Give the search a name."))
    if not query:
        raise ArticleError(gettext("There is no query to save."))
    if len(name) > MAX_NAME_LENGTH or len(query) > MAX_QUERY_LENGTH:
        raise ArticleError(
            gettext("A name has at most %(name)d characters, a query %(query)d.")
            % {"name": MAX_NAME_LENGTH, "query": MAX_QUERY_LENGTH}
        )
    saved, _ = SavedSearch.objects.update_or_create(user=user, name=name, defaults={"query": query})
    return saved


def saved_search_delete(*, user: User, pk: int) -> bool:
    """Delete one of the user's saved searches; False if there is no such search (or it is someone else's)."""
    deleted, _ = SavedSearch.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
