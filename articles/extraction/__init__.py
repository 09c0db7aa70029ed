"""Article extraction (pure: no ORM, no network). See ``core`` for the pipeline.

Public names: ``extract``, ``extract_plain_text``, ``extract_pdf``, ``Extraction``, ``ExtractionError``,
``html_to_text``, ``normalize_space``, ``count_words``, ``detect_language``, ``page_language``.
"""

from .cleanup import EDGE_BOILERPLATE
from .core import Extraction, ExtractionError, extract, extract_pdf, extract_plain_text
from .text import BLOCK_TAGS, count_words, detect_language, html_to_text, normalize_space, page_language

__all__ = [
    "BLOCK_TAGS",
    "EDGE_BOILERPLATE",
    "Extraction",
    "ExtractionError",
    "count_words",
    "detect_language",
    "extract",
    "extract_pdf",
    "extract_plain_text",
    "html_to_text",
    "normalize_space",
    "page_language",
]
