"""Forms: validation only; the views call services with the cleaned data."""

from django import forms


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


class ImportForm(forms.Form):
    """The upload field of the import page; the size cap is checked while reading."""

    file = forms.FileField(label="Export file", allow_empty_file=True)

    def read_capped(self) -> bytes:
        """The uploaded bytes, at most FOLIO_IMPORT_MAX_BYTES + 1 (the service rejects anything larger)."""
        from django.conf import settings

        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(settings.FOLIO_IMPORT_MAX_BYTES + 1)
