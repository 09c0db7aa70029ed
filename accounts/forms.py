"""Forms of the accounts app: validation only; views call ``accounts.services`` with the cleaned data."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

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
        label=gettext_lazy("Link works for"),
        choices=EXPIRY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    include_highlights = forms.BooleanField(label=gettext_lazy("Show my highlights"), required=False)


class SignupForm(forms.Form):
    """A new account: user name, e-mail (for password resets), the password twice."""

    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy("Optional; needed to reset a forgotten password."),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(gettext("The two passwords differ."))
        return data


class EmailForm(forms.Form):
    """Change one's e-mail address."""

    email = forms.EmailField(label=gettext_lazy("E-mail"))


class InvitationForm(forms.Form):
    """An administrator's invitation: optionally e-mailed to an address."""

    email = forms.EmailField(label=gettext_lazy("E-mail the link to (optional)"), required=False)


class DeleteAccountForm(forms.Form):
    """Deleting one's account asks for the password again (and a typed confirmation)."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(label=gettext_lazy('Type "delete" to confirm'), max_length=20)

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().lower() != "delete":
            raise forms.ValidationError('Type "delete" to confirm.')
        return "delete"
