"""Article languages and the PostgreSQL text-search configuration each is indexed under.

Beside the model (not in the read side) so that processing, imports and the model's check constraint share
one table without importing ``articles.search``.
"""

from __future__ import annotations

#: Text-search configurations PostgreSQL ships (``SELECT cfgname FROM pg_ts_config``, PostgreSQL 15);
#: an article is indexed under one of them (search_config_for maps its language).
SEARCH_CONFIGS = (
    "simple",
    "arabic",
    "armenian",
    "basque",
    "catalan",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "greek",
    "hindi",
    "hungarian",
    "indonesian",
    "irish",
    "italian",
    "lithuanian",
    "nepali",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "serbian",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
    "yiddish",
)

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
