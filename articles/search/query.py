"""Folio's search query language, parsed once for the search box, the API and saved searches.

Syntax (any mix, separated by spaces)::

    word            the word, in any inflection the article's language knows ("running" finds "run")
    "two words"     the exact phrase
    a OR b          either (binds the terms on both sides of OR)
    -word -"a b"    without the word or phrase
    pref*           words starting with "pref"
    tag:NAME  tag:"two words"   site:DOMAIN   author:NAME   title:WORD   title:"a phrase"   lang:CODE
    note:TEXT  note:"a phrase"  the note on the article contains the text (its words are searched anywhere too)
    is:unread  is:read  is:archived  is:favorite  before:YYYY-MM-DD  after:YYYY-MM-DD
    -tag:NAME -site:DOMAIN -is:read ...   (filters can be negated too)

A malformed query never fails: an unknown filter (``foo:bar``), a bad value (``before:yesterday``,
``is:nothing``) or an unclosed quote is read as plain words; a prefix of one letter (``a*``) is read as
the word. Pure: no database, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

FILTER_KEYS = ("tag", "site", "author", "title", "lang", "is", "before", "after", "note")
IS_VALUES = ("unread", "read", "archived", "favorite")
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 32
#: Letters a prefix needs before its ``*``: a shorter one matches most of a library (``co*`` found 85% of
#: 100,000 articles for 110 ms of database CPU; ``a*`` reads the postings of every word starting with
#: "a"), so it is read as the word itself, with a notice.
MIN_PREFIX = 3

_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:
        (?P<key>[A-Za-z]+):(?:"(?P<qval>[^"]*)"?|(?P<val>[^\s"]+))
        |"(?P<phrase>[^"]*)"?
        |(?P<word>[^\s"]+)
    )""",
    re.VERBOSE,
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """One text condition. ``kind`` is word, phrase or prefix; ``field`` is "" (anywhere) or "title"."""

    text: str
    kind: str = "word"
    field: str = ""

    @property
    def words(self) -> list[str]:
        """The term's word characters split into words (what a tokenizer would see)."""
        return _WORD.findall(self.text)


@dataclass(frozen=True)
class Filter:
    """A filter on article fields; ``value`` is normalised (a date for before/after, lower-case for is)."""

    key: str
    value: str | date
    negated: bool = False
    #: For ``tag``: the ids of the user's tags of that name, once a search has looked them up.
    ids: tuple[int, ...] | None = None

    @property
    def day(self) -> date:
        """The day of a ``before``/``after`` filter; TypeError for a filter whose value is text."""
        if not isinstance(self.value, date):
            raise TypeError(f"The {self.key}: filter has no day.")
        return self.value


@dataclass
class SearchQuery:
    """A parsed query: ``groups`` are ANDed, the terms in a group ORed; ``excluded`` terms must not match."""

    raw: str = ""
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    #: Prefixes too short to search as prefixes (``MIN_PREFIX``), read as words instead, as typed.
    narrowed: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        """True when the query has positive text terms (so results are ranked by relevance)."""
        return bool(self.groups)

    @property
    def is_empty(self) -> bool:
        """True when the query asks for nothing at all."""
        return not (self.groups or self.excluded or self.filters)

    def positive_terms(self) -> list[Term]:
        """Every positive term, in order (what the reader highlights)."""
        return [term for group in self.groups for term in group]

    def highlight_words(self) -> list[str]:
        """Positive words and phrases as typed, for highlighting in the reader (prefixes without ``*``)."""
        return [term.text for term in self.positive_terms() if term.words]


def _term(text: str, *, field: str = "", phrase: bool = False) -> Term | None:
    text = " ".join(text.split())
    if phrase:
        return Term(text, "phrase", field) if _WORD.search(text) else None
    if text.endswith("*"):
        stem = text.rstrip("*")
        return Term(stem, "prefix", field) if _WORD.search(stem) else None
    return Term(text, "word", field) if _WORD.search(text) else None


def _filter(key: str, value: str, negated: bool) -> Filter | None:
    key = key.lower()
    value = value.strip()
    if not value or key not in FILTER_KEYS or key == "title":
        return None
    if key == "is":
        value = value.lower()
        return Filter(key, value, negated) if value in IS_VALUES else None
    if key in ("before", "after"):
        try:
            return Filter(key, date.fromisoformat(value), negated)
        except ValueError:
            return None
    if key == "lang":
        value = value.lower()
        return Filter(key, value, negated) if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", value) else None
    if key == "site":
        value = value.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").strip("/")
    return Filter(key, value[:200], negated) if value else None


def search_query_parse(raw: str) -> SearchQuery:
    """Parse ``raw`` into a SearchQuery; never raises. At most 1,000 characters and 32 terms are read."""
    raw = (raw or "")[:MAX_QUERY_LENGTH]
    query = SearchQuery(raw=raw)
    join_next = False
    count = 0
    for match in _TOKEN.finditer(raw):
        if count >= MAX_TERMS:
            break
        negated = bool(match["neg"])
        key = match["key"]
        if key is not None:
            value = match["qval"] if match["qval"] is not None else match["val"]
            if key.lower() == "title":
                term = _term(value, field="title", phrase=match["qval"] is not None)
            else:
                flt = _filter(key, value, negated)
                if flt is not None:
                    query.filters.append(flt)
                    count += 1
                    join_next = False
                    continue
                # Not a filter after all: read "key:value" as words.
                term = _term(match.group(0).lstrip("-"))
        elif match["phrase"] is not None:
            term = _term(match["phrase"], phrase=True)
        else:
            word = match["word"]
            if word == "OR" and not negated:
                join_next = bool(query.groups)
                continue
            term = _term(word)
        if term is None:
            continue
        if term.kind == "prefix" and len(term.words[-1]) < MIN_PREFIX:
            query.narrowed.append(term.text)
            term = Term(term.text, "word", term.field)
        count += 1
        if negated:
            query.excluded.append(term)
            join_next = False
        elif join_next and query.groups:
            query.groups[-1].append(term)
            join_next = False
        else:
            query.groups.append([term])
    return query
