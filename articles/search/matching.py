"""The query language evaluated on one piece of text in Python, without the database: does a query match an
item that is not (yet) an article? Used by feed subscriptions' "keep only entries that match" option.

The reading is the same as the search's (articles.search.query; words stemmed as ``_text`` stems them for
SQLite, PostgreSQL's stop words), applied to the text given (a feed entry's title and summary, not the
whole page, which is not fetched yet). A word matches when its stem under the item's language (English when
the item does not say), or the word itself (the ``simple`` configuration), is among the text's; a phrase when its stems follow each other;
a prefix when a word starts with it. Filters: ``title:`` looks at the title only; ``site:`` at the host of
the item's address (sub-domains included); ``author:`` a part of the author; ``lang:`` the language code;
``tag:`` the tags the item will get; ``is:unread`` is true and ``is:read``/``is:favorite`` false for a new
item, ``is:archived`` is what the item will be; ``before:``/``after:`` compare the published date (today
when unknown). Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from ..languages import search_config_for
from . import _text
from .query import Filter, SearchQuery, Term


@dataclass(frozen=True)
class MatchItem:
    """What a query is matched against: ``title`` and ``text`` (plain text), and the item's facts."""

    title: str = ""
    text: str = ""
    url: str = ""
    author: str = ""
    language: str = ""
    tags: tuple[str, ...] = ()
    published: date | None = None
    archived: bool = False


class _Indexed:
    """An item's words and stems under the configurations tried (its language's and ``simple``)."""

    def __init__(self, item: MatchItem):
        language = search_config_for(item.language) if item.language else "english"
        self.configs = list(dict.fromkeys([language, "simple"]))
        self.title_words = _text.words(item.title)
        self.all_words = self.title_words + _text.words(item.text)
        self.stems = {
            (config, field): _text.stems(config, words)
            for config in self.configs
            for field, words in (("title", self.title_words), ("", self.all_words))
        }

    def term(self, term: Term) -> bool:
        words = [w.lower() for w in term.words]
        if not words:
            return False
        if term.kind == "prefix":
            *head, last = words
            pool = self.title_words if term.field == "title" else self.all_words
            folded = _text.fold(last)
            if not head:
                return any(_text.fold(w).startswith(folded) for w in pool)
            return self._phrase(head, term.field, prefix=folded)
        return self._phrase(words, term.field)

    def _phrase(self, words: list[str], field: str, prefix: str = "") -> bool:
        for config in self.configs:
            wanted = _text.stems(config, words)
            have = self.stems[(config, field)]
            size = len(wanted)
            for start in range(len(have) - size + 1):
                if have[start : start + size] != wanted:
                    continue
                if not prefix:
                    return True
                pool = self.title_words if field == "title" else self.all_words
                if start + size < len(pool) and _text.fold(pool[start + size]).startswith(prefix):
                    return True
        return False


def _filter(flt: Filter, item: MatchItem) -> bool:
    value = flt.value
    if flt.key == "tag":
        result = str(value).lower() in {t.lower() for t in item.tags}
    elif flt.key == "site":
        host = (urlsplit(item.url).hostname or "").lower().removeprefix("www.")
        result = host == value or host.endswith("." + str(value))
    elif flt.key == "author":
        result = str(value).lower() in item.author.lower()
    elif flt.key == "lang":
        result = (item.language or "").lower().split("-")[0] == str(value).split("-")[0]
    elif flt.key == "is":
        result = {"unread": True, "read": False, "favorite": False, "archived": item.archived}[str(value)]
    else:  # before / after
        published = item.published or date.today()
        result = published < value if flt.key == "before" else published > value  # type: ignore[operator]
    return result != flt.negated


def query_matches_item(query: SearchQuery, item: MatchItem) -> bool:
    """Whether ``query`` (from ``search_query_parse``) matches ``item``; an empty query matches everything.

    Every group must have a matching term (a group's terms are ORed), no excluded term may match, and
    every filter must hold (module docstring for each filter's meaning). Never raises.
    """
    if query.is_empty:
        return True
    if not all(_filter(flt, item) for flt in query.filters):
        return False
    indexed = _Indexed(item)
    if any(indexed.term(term) for term in query.excluded):
        return False
    return all(any(indexed.term(term) for term in group) for group in query.groups)
