"""The language table: which PostgreSQL text-search configuration indexes an article of a given language.

(The core engineer moves this table to ``articles/languages.py``; search imports it from there once that
lands on main.)
"""

from __future__ import annotations

from ..models import SEARCH_CONFIGS

#: ISO 639-1 → PostgreSQL text-search configuration. Chinese, Japanese, Korean and anything unknown use
#: ``simple`` (lower-cased words, no stemming, no stop words).
LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def search_config_for(language: str) -> str:
    """The text-search configuration for an ISO 639-1 code (``"en-GB"`` → ``"english"``; unknown → simple)."""
    config = LANGUAGE_CONFIGS.get((language or "").lower().split("-")[0].split("_")[0], "simple")
    return config if config in SEARCH_CONFIGS else "simple"
