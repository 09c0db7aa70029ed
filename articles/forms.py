"""Forms: validation only; the views call services with the cleaned data."""

from django import forms

from .models import ReaderSettings
from .services.library import COLUMN_WIDTHS, FONT_SIZES, LINE_HEIGHTS


class SaveForm(forms.Form):
    """The "save an article" field on the library page."""

    url = forms.CharField(
        label="Article address", max_length=2048,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off", "required": True}),
    )
    tags = forms.CharField(label="Tags", required=False, max_length=1000, help_text="Separated by commas.")

    def tag_names(self) -> list[str]:
        """The comma-separated tags as a list."""
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ReaderSettingsForm(forms.Form):
    """Reader preferences; each choice has a CSS class in static/css/reader.css (no inline styles)."""

    font = forms.ChoiceField(choices=ReaderSettings.Font.choices, widget=forms.RadioSelect)
    font_size = forms.TypedChoiceField(
        label="Text size", coerce=int, choices=[(n, f"{n} px") for n in FONT_SIZES]
    )
    line_height = forms.TypedChoiceField(
        label="Line height", coerce=float, choices=[(f"{n:.1f}", f"{n:.1f}") for n in LINE_HEIGHTS]
    )
    column_width = forms.TypedChoiceField(
        label="Column width", coerce=int, choices=[(n, f"{n} em") for n in COLUMN_WIDTHS]
    )
    theme = forms.ChoiceField(choices=ReaderSettings.Theme.choices, widget=forms.RadioSelect)
