"""Domain exceptions raised by Folio's services; faces turn them into messages and 4xx answers, and
``articles.tasks`` turns ``RetryLater`` into a retry. Fetch errors (``articles.fetching``) never leave the
services: processing turns them into a failed article or a ``RetryLater``."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext


class ArticleError(Exception):
    """A request about an article that cannot be carried out; ``message`` is shown to the person.

    Faces answer 400 (the API: ``{"error": "invalid", "detail": message}``) or show ``message`` on the page.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFoundError(ArticleError):
    """The object is not one of the person's (or does not exist): faces answer 404. Someone else's object
    and a missing one are the same answer, so an id tells nothing about other people's libraries."""


class ArticleNotFound(NotFoundError):
    """No such article among the person's (live) articles."""

    def __init__(self, message: str | None = None):
        super().__init__(message or gettext("No such article."))


class TagNotFound(NotFoundError):
    """No such tag among the person's tags."""

    def __init__(self, message: str | None = None):
        super().__init__(message or gettext("No such tag."))


class HighlightNotFound(NotFoundError):
    """No such highlight on the person's articles."""

    def __init__(self, message: str | None = None):
        super().__init__(message or gettext("No such highlight."))


class ConflictError(ArticleError):
    """The change contradicts itself or the person's other data (a tag merged into itself): API 409."""


class InvalidURLError(ArticleError):
    """The URL given is not an http(s) address Folio can save."""


class PageTooLargeError(ArticleError):
    """HTML sent by the browser is over ``FOLIO_PAGE_MAX_BYTES``: API 413."""


class SaveRateExceeded(ArticleError):
    """The person saved more than ``FOLIO_SAVE_RATE_PER_MINUTE`` articles in the last minute (issue 21.4):
    nothing is saved; ``retry_after`` is the number of seconds (1-60) until a save goes through again.
    Pages show ``message``; the APIs answer 429 with ``Retry-After``."""

    def __init__(self, retry_after: int):
        super().__init__(
            ngettext(
                "You saved many articles in the last minute; wait %(seconds)d second and save this one again.",
                "You saved many articles in the last minute; wait %(seconds)d seconds and save this one again.",
                retry_after,
            )
            % {"seconds": retry_after}
        )
        self.retry_after = retry_after


class RetryLater(Exception):
    """Raised by a service when the work may succeed later (a timeout, 429, 5xx, a busy site).

    ``reason`` is a sentence for the person (kept on the article while it waits); ``retry_after`` the
    seconds the server asked for (Retry-After), or None. ``backoff`` False means waiting is not a failure
    (another fetch of the same site holds the slot): the task waits a short, non-growing time instead of
    backing off exponentially. ``slow`` True means the work needed more time than the save lane gives (a
    page cut off by FOLIO_FETCH_FAST_TIMEOUT): it belongs on the slow lane at once, without waiting. The
    retry policy itself lives in ``articles.tasks``.
    """

    def __init__(
        self, reason: str, retry_after: float | None = None, *, backoff: bool = True, slow: bool = False
    ):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.backoff = backoff
        self.slow = slow
