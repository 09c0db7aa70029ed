"""The settings page's IMAP mailbox form (the address has no form: one button rotates it)."""

from django import forms
from django.utils.translation import gettext_lazy as _

#: Session key of a mailbox form that had errors (its values, never the password), shown again once.
FORM_KEY = "newsletters_mailbox_form"


class MailboxForm(forms.Form):
    """IMAP over TLS settings; the password may be left empty to keep the stored one."""

    host = forms.CharField(label=_("IMAP server"), max_length=253, help_text=_("e.g. imap.example.com"))
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    username = forms.CharField(label=_("User name"), max_length=320)
    password = forms.CharField(
        label=_("Password"),
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password. An app password is best."),
    )
    folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    mark_seen = forms.BooleanField(label=_("Mark messages read in the mailbox"), required=False, initial=True)
    enabled = forms.BooleanField(label=_("Check this mailbox"), required=False, initial=True)
