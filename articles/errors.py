"""Domain exceptions raised by Folio's services; views and the API turn them into messages and 4xx answers."""


class ArticleError(Exception):
    """A request about an article that cannot be carried out; ``message`` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidURLError(ArticleError):
    """The URL given is not an http(s) address Folio can save."""


class PageTooLargeError(ArticleError):
    """HTML sent by the browser is over ``FOLIO_PAGE_MAX_BYTES``."""
