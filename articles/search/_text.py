"""Words, stop words and stems for SQLite search: what PostgreSQL's text-search configurations do, in Python.

A configuration name (``english``, ``french``, …, ``simple``; articles.models.SEARCH_CONFIGS) reads text the
same way when an article is indexed and when a query is read:

- **words**: runs of letters, digits and combining marks of the NFC text, lower-cased (combining marks stay
  inside a word, so Hindi and Tamil words are not cut at their vowel signs);
- **stop words**: PostgreSQL's own lists (``stopwords/*.stop``, copied from PostgreSQL 15's
  ``tsearch_data``, which takes them from the Snowball project) for the 15 configurations that have one;
  the others (and ``simple``) have none, as on PostgreSQL. A stop word keeps its place as ``STOP``, so that
  ``"end of days"`` matches "end", any stop word, "day", as ``'end' <2> 'day'`` does on PostgreSQL;
- **stems**: the Snowball stemmer of the configuration's language (``snowballstemmer``, which runs
  PyStemmer's C code when it is installed); ``simple`` keeps the word;
- **folding**: the stem's Latin, Greek and Cyrillic diacritics are removed ("café" → "cafe"), as FTS5's
  ``remove_diacritics`` did before.

Pure: no database, no Django. Stems are cached per configuration (a library's vocabulary is small: 30,000
words of text hold about 9,000 distinct words), so indexing costs about 1 µs a word.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)

#: The place of a stop word in indexed text and in a phrase (a private-use character, never in a word).
STOP = "\uf8ff"
STOPWORD_DIR = Path(__file__).resolve().parent / "stopwords"
#: Stems kept per configuration before the cache starts over.
CACHE_SIZE = 200_000


@cache
def word_pattern() -> re.Pattern[str]:
    """Letters and digits (``[^\\W_]``) plus the combining marks of the Basic Multilingual Plane."""
    marks, start = [], None
    for code in range(0x10000):
        is_mark = unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            marks.append((start, code - 1))
            start = None
    ranges = "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in marks)
    return re.compile(f"(?:[^\\W_]|[{ranges}])+")


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) for each word of ``text`` (offsets into the NFC text)."""
    for match in word_pattern().finditer(text):
        yield match.start(), match.end(), match.group().lower()


def words(text: str) -> list[str]:
    """The lower-cased words of ``text`` (NFC), in order."""
    return word_pattern().findall(unicodedata.normalize("NFC", text or "").lower())


@cache
def stop_words(config: str) -> frozenset[str]:
    """The configuration's stop words (PostgreSQL's list), or an empty set."""
    path = STOPWORD_DIR / f"{config}.stop"
    if not path.exists():
        return frozenset()
    return frozenset(w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


_FOLDED_SCRIPTS = 0x0530  # Latin, IPA, Greek, Cyrillic end here


def fold(word: str) -> str:
    """The word without the diacritics of Latin, Greek and Cyrillic letters ("naïve" → "naive")."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and ord(out[-1]) < _FOLDED_SCRIPTS:
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


class _Stemmers(threading.local):
    """Per thread (the C stemmers are not thread-safe): one stemmer and one stem cache per configuration."""

    def __init__(self) -> None:
        self.stemmers: dict[str, object] = {}
        self.caches: dict[str, dict[str, str]] = {}


_local = _Stemmers()


def _stemmer(config: str):
    stemmer = _local.stemmers.get(config)
    if stemmer is None and config not in _local.stemmers:
        import snowballstemmer

        stemmer = snowballstemmer.stemmer(config) if config in snowballstemmer.algorithms() else None
        _local.stemmers[config] = stemmer
    return stemmer


def stems(config: str, tokens: list[str]) -> list[str]:
    """The indexed form of each lower-cased word under ``config``: ``STOP`` for a stop word, else the
    folded Snowball stem (the folded word for ``simple``)."""
    cache_ = _local.caches.get(config)
    if cache_ is None or len(cache_) > CACHE_SIZE:
        cache_ = _local.caches[config] = {}
    get = cache_.get
    out: list[str | None] = []
    missing = []
    for token in tokens:
        stem = get(token)
        if stem is None:
            missing.append(token)
        out.append(stem)
    if missing:
        stopped = stop_words(config)
        stemmer = _stemmer(config)
        unique = list(dict.fromkeys(missing))
        stemmed = stemmer.stemWords(unique) if stemmer is not None else unique
        for token, stem in zip(unique, stemmed, strict=True):
            cache_[token] = STOP if token in stopped else fold(stem)
        return [stem if stem is not None else cache_[token] for token, stem in zip(tokens, out, strict=True)]
    return [stem for stem in out if stem is not None]


def index_text(config: str | None, text: str | None) -> str:
    """What the FTS5 table stores for ``text`` of an article indexed under ``config``: its stems in order,
    separated by spaces (SQLite calls this as ``folio_search_text(config, text)`` from the triggers)."""
    if not text:
        return ""
    return " ".join(stems(config or "simple", words(text)))


def search_text_function(config: str | None, text: str | None) -> str:
    """``index_text`` as an SQL function: never raises (an error inside a trigger would fail the write)."""
    try:
        return index_text(config, text)
    except Exception:  # logged; the words as typed still index
        logger.exception("folio_search_text failed for config %r", config)
        return " ".join(words(text or ""))
