"""Template filters for text Folio stored in English: ``{{ article.failure_reason|stored_text }}``."""

from __future__ import annotations

from django import template

from ..rows import stored_text as _stored_text

register = template.Library()


@register.filter
def stored_text(value: object) -> str:
    """``value`` (a sentence Folio stored, e.g. a failure reason) in the active language when it is one
    of the catalogue's fixed sentences; otherwise as stored (articles.rows.stored_text)."""
    return _stored_text(str(value or ""))
