"""Forms: validation only; the views call services with the cleaned data."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from .limits import TITLE_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH, URL_MAX_LENGTH
from .models import ReaderSettings
from .services.account import COLUMN_WIDTHS, FONT_SIZES, LINE_HEIGHTS, OFFLINE_ARTICLES_MAX


class SaveForm(forms.Form):
    """The "save an article" field on the library page."""

    url = forms.CharField(
        label=gettext_lazy("Article address"),
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off", "required": True}),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separated by commas."),
    )

    def tag_names(self) -> list[str]:
        """The comma-separated tags as a list."""
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ReaderSettingsForm(forms.Form):
    """Reader preferences; each choice has a CSS class in static/css/reader.css (no inline styles)."""

    font = forms.ChoiceField(choices=ReaderSettings.Font.choices, widget=forms.RadioSelect)
    font_size = forms.TypedChoiceField(
        label=gettext_lazy("Text size"), coerce=int, choices=[(n, f"{n} px") for n in FONT_SIZES]
    )
    line_height = forms.TypedChoiceField(
        label=gettext_lazy("Line height"),
        coerce=float,
        choices=[(f"{n:.1f}", f"{n:.1f}") for n in LINE_HEIGHTS],
    )
    column_width = forms.TypedChoiceField(
        label=gettext_lazy("Column width"), coerce=int, choices=[(n, f"{n} em") for n in COLUMN_WIDTHS]
    )
    theme = forms.ChoiceField(choices=ReaderSettings.Theme.choices, widget=forms.RadioSelect)
    offline_articles = forms.IntegerField(
        label=gettext_lazy("Articles kept for reading offline"),
        min_value=0,
        max_value=OFFLINE_ARTICLES_MAX,
        required=False,  # left out: unchanged
        help_text=gettext_lazy(
            "The installed app keeps this many unread articles, with their images, on the device."
        ),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name ("Deutsch"), as people look for their own; '' follows the browser.
        self.fields["language"].choices = [("", gettext_lazy("As the browser asks")), *settings.LANGUAGES]


class SavePageForm(forms.Form):
    """What the bookmarklet's popup posts: the page address and title, tags, and (optionally) the page
    HTML as an uploaded file (``html``), so that large pages do not count against Django's in-memory form
    limit (DATA_UPLOAD_MAX_MEMORY_SIZE); its size is checked against FOLIO_PAGE_MAX_BYTES by the view."""

    url = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH, required=False)
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separated by commas."),
    )
    html = forms.FileField(required=False, allow_empty_file=True)

    def tag_names(self) -> list[str]:
        """The comma-separated tags as a list."""
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class TagsAddForm(forms.Form):
    """Tags to add to an article (comma-separated)."""

    tags = forms.CharField(
        label=gettext_lazy("Add tags"), max_length=1000, help_text=gettext_lazy("Separated by commas.")
    )

    def tag_names(self) -> list[str]:
        """The comma-separated tags as a list."""
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ShareForm(forms.Form):
    """The share target's confirmation (issue 12): the address found in what was shared, its title and
    tags to add."""

    url = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "off", "required": True}),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH, required=False)
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separated by commas."),
    )

    def tag_names(self) -> list[str]:
        """The comma-separated tags as a list."""
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ApiTokenCreateForm(forms.Form):
    """Name of a new API token (to recognise it in the list)."""

    name = forms.CharField(
        label=gettext_lazy("Token name"), max_length=TOKEN_NAME_MAX_LENGTH, initial=gettext_lazy("API token")
    )


class SavingSettingsForm(forms.Form):
    """The bookmarklet's saving option."""

    send_page_html = forms.BooleanField(
        label=gettext_lazy("Send the page as my browser shows it"),
        required=False,
        help_text=gettext_lazy(
            "The bookmarklet sends the page's HTML, so pages behind a log-in or built by scripts are "
            "saved as you see them. Turn off to send only the address; Folio then fetches the page itself."
        ),
    )


class ImportForm(forms.Form):
    """The upload field of the import page; the size cap is checked while reading."""

    file = forms.FileField(label=gettext_lazy("Export file"), allow_empty_file=True)

    def read_capped(self) -> bytes:
        """The uploaded bytes, at most FOLIO_IMPORT_MAX_BYTES + 1 (the service rejects anything larger)."""
        from django.conf import settings

        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(settings.FOLIO_IMPORT_MAX_BYTES + 1)
