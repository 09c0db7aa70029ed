"""Template helpers of the note on an article and the highlights library."""

from django import template

from ..limits import ARTICLE_NOTE_MAX_LENGTH

register = template.Library()


@register.simple_tag
def article_note_max_length() -> int:
    """ARTICLE_NOTE_MAX_LENGTH, for the note form's ``maxlength``."""
    return ARTICLE_NOTE_MAX_LENGTH
