"""The conditions of a tagging rule: what each one means, how it is checked and cleaned. Pure (no ORM).

A rule's ``conditions`` is a JSON object with any of these keys (absent or empty: not a condition):

=======================  ==========================================================================
``site``                 the article's host is this domain or a subdomain of it (``example.com`` matches
                         ``blog.example.com``; a leading ``www.`` is ignored), or its site name equals it
                         (case ignored)
``url_contains``         the given or final address contains this text (case ignored)
``title_words``          the title contains every one of these words (space-separated, whole words,
                         case ignored)
``text_words``           the article's text contains every one of these words (as ``title_words``)
``language``             the article's language is this ISO 639-1 code (``en`` matches ``en-GB``)
``reading_time_above``   reading time in minutes is more than this integer
``reading_time_below``   reading time in minutes is less than this integer
``origin``               the face the article was saved through (``Article.Origin``: form,
                         bookmarklet, api, app, share, import, feed, email, sync)
=======================  ==========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from articles.models import Article

TEXT_CONDITIONS = ("site", "url_contains", "title_words", "text_words", "language")
NUMBER_CONDITIONS = ("reading_time_above", "reading_time_below")
CONDITIONS = (*TEXT_CONDITIONS, *NUMBER_CONDITIONS, "origin")
#: Largest reading time a condition states, in minutes (a week).
READING_TIME_MAX = 7 * 24 * 60
#: Longest text of one condition.
CONDITION_MAX_LENGTH = 500


class ConditionError(ValueError):
    """A condition that cannot be stored; ``message`` is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean_conditions(raw: Mapping[str, object] | None) -> dict[str, object]:
    """The conditions to store: known keys only, texts stripped (empty ones dropped), numbers as
    non-negative integers. Raises ConditionError for an unknown key, a text over CONDITION_MAX_LENGTH, a
    number that is not one, an unknown origin, or no condition at all."""
    if raw is None or not isinstance(raw, Mapping):
        raise ConditionError(_("Conditions must be an object."))
    clean: dict[str, object] = {}
    for key, value in raw.items():
        if key not in CONDITIONS:
            raise ConditionError(_("Unknown condition: %(name)s.") % {"name": key})
        if value is None or value == "":
            continue
        if key in NUMBER_CONDITIONS:
            try:
                number = int(value)  # type: ignore[call-overload]
            except (TypeError, ValueError, OverflowError):
                raise ConditionError(_("Reading time is a whole number of minutes.")) from None
            if number < 0 or number > READING_TIME_MAX or isinstance(value, bool):
                raise ConditionError(_("Reading time is a whole number of minutes."))
            clean[key] = number
            continue
        text = " ".join(str(value).split())
        if len(text) > CONDITION_MAX_LENGTH:
            raise ConditionError(
                _("A condition can have at most %(n)d characters.") % {"n": CONDITION_MAX_LENGTH}
            )
        if key == "origin" and text not in Article.Origin.values:
            raise ConditionError(_("Unknown origin: %(name)s.") % {"name": text})
        if key in ("site", "language", "origin"):
            text = text.lower().removeprefix("www.")
        if text:
            clean[key] = text
    if not clean:
        raise ConditionError(_("A rule needs at least one condition."))
    return clean


def needs_text(conditions: Mapping[str, object]) -> bool:
    """Whether checking ``conditions`` needs the article's text (a large column, read only then)."""
    return "text_words" in conditions


@dataclass(frozen=True)
class Facts:
    """What conditions look at, taken from an article once."""

    host: str
    site_name: str
    urls: str
    title: str
    text: str
    language: str
    reading_time: int
    origin: str

    @classmethod
    def of(cls, article: Article, *, with_text: bool = True) -> Facts:
        hosts = [urlsplit(u).hostname or "" for u in (article.url, article.final_url) if u]
        return cls(
            host=" ".join(h.lower().removeprefix("www.") for h in hosts),
            site_name=(article.site_name or "").lower(),
            urls=f"{article.url} {article.final_url}".lower(),
            title=article.title or "",
            text=(article.content_text or "") if with_text else "",
            language=(article.language or "").lower(),
            reading_time=article.reading_time_minutes or 0,
            origin=article.origin,
        )


def _has_words(haystack: str, words: str) -> bool:
    return all(
        re.search(rf"(?<!\w){re.escape(word)}(?!\w)", haystack, re.IGNORECASE) for word in words.split()
    )


def _holds(key: str, value: object, facts: Facts) -> bool:
    if key == "site":
        domain = str(value)
        hosts = facts.host.split()
        return any(h == domain or h.endswith("." + domain) for h in hosts) or facts.site_name == domain
    if key == "url_contains":
        return str(value).lower() in facts.urls
    if key == "title_words":
        return _has_words(facts.title, str(value))
    if key == "text_words":
        return _has_words(facts.text, str(value))
    if key == "language":
        return facts.language == value or facts.language.startswith(f"{value}-")
    if key == "reading_time_above":
        return facts.reading_time > int(value)  # type: ignore[call-overload]
    if key == "reading_time_below":
        return facts.reading_time < int(value)  # type: ignore[call-overload]
    if key == "origin":
        return facts.origin == value
    return False


def matches(conditions: Mapping[str, object], match: str, facts: Facts) -> bool:
    """Whether an article (its ``facts``) meets ``conditions``: all of them (``match="all"``) or any
    (``"any"``). No condition never matches."""
    results = (_holds(key, value, facts) for key, value in conditions.items())
    if not conditions:
        return False
    return any(results) if match == "any" else all(results)
