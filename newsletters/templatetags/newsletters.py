"""``{% newsletters_settings %}``: the settings page's newsletters section, with the person's address and
mailbox (templates/newsletters/_settings_mail.html includes it)."""

from django import template
from django.forms.utils import ErrorDict, ErrorList

from .. import services
from ..forms import FORM_KEY, MailboxForm

register = template.Library()


@register.inclusion_tag("newsletters/_settings_section.html", takes_context=True)
def newsletters_settings(context) -> dict:
    """Context of the section: ``enabled`` (FOLIO_MAIL_DOMAIN set), ``address``, ``mailbox`` (or None) and
    ``form`` (the mailbox's values, or what was typed last time with its errors)."""
    request = context["request"]
    user = request.user
    address = (
        services.address_of(services.address_get_or_create(user=user)) if services.mail_enabled() else ""
    )
    mailbox = services.mailbox_of(user=user)
    kept = request.session.pop(FORM_KEY, None)
    if kept:
        form = MailboxForm(initial=kept["data"], auto_id="id_mailbox_%s")
        form._errors = ErrorDict(
            {field: ErrorList([e["message"] for e in errors]) for field, errors in kept["errors"].items()}
        )
    elif mailbox is not None:
        form = MailboxForm(
            initial={
                "host": mailbox.host,
                "port": mailbox.port,
                "username": mailbox.username,
                "folder": mailbox.folder,
                "mark_seen": mailbox.mark_seen,
                "enabled": mailbox.enabled,
            },
            auto_id="id_mailbox_%s",
        )
    else:
        form = MailboxForm(auto_id="id_mailbox_%s")
    return {
        "enabled": services.mail_enabled(),
        "address": address,
        "mailbox": mailbox,
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }
