"""Forms of the feeds pages (labels and errors translatable)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _


def split_tags(value: str) -> list[str]:
    """Tag names from a comma-separated field."""
    return [name.strip() for name in (value or "").split(",") if name.strip()]


class SubscribeForm(forms.Form):
    url = forms.CharField(
        label=_("Feed or site address"),
        max_length=2048,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/feed.xml", "autocomplete": "off"}),
    )
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=1000)


class FeedEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=1000)
    interval = forms.IntegerField(label=_("Minutes between polls"), max_value=7 * 24 * 60)
    archive_on_arrival = forms.BooleanField(label=_("Archive new articles on arrival"), required=False)
    match_query = forms.CharField(
        label=_("Keep only entries matching (search syntax, on the entry's title and summary)"),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interval"].min_value = settings.FOLIO_FEED_MIN_INTERVAL
        self.fields["interval"].widget.attrs["min"] = settings.FOLIO_FEED_MIN_INTERVAL
        self.fields["interval"].validators.append(MinValueValidator(settings.FOLIO_FEED_MIN_INTERVAL))


class OpmlImportForm(forms.Form):
    file = forms.FileField(label=_("OPML file"))
