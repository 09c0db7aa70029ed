"""Forms of the accounts app: validation only; views call ``accounts.services`` with the cleaned data."""

from __future__ import annotations

from django import forms

#: Choices of a share link's lifetime, in days ("" = until revoked).
EXPIRY_CHOICES = [
    ("", "Never (until revoked)"),
    ("1", "1 day"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("365", "1 year"),
]


class ShareCreateForm(forms.Form):
    """Share one article: its id, how long the link works, whether the highlights are shown."""

    article = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    expires_in_days = forms.TypedChoiceField(
        label="Link works for", choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )
    include_highlights = forms.BooleanField(label="Show my highlights", required=False)
