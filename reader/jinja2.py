"""The Jinja2 environment of Folio's Jinja2 templates (the library rows, ``templates/jinja2/``): Jinja's
i18n extension with Django's ``gettext``/``ngettext`` installed, so ``{{ _("Archive") }}`` and
``{{ ngettext("%(num)d min", "%(num)d min", n) }}`` follow the language Django activated for the request.

Strings are written as ``{{ _("…") }}`` calls (not ``{% trans %}`` blocks) because Django's
``makemessages`` reads that syntax in ``.html`` files (it reads ``_("…")`` in variable tags), so
``make messages`` finds them without a second extractor.
"""

from __future__ import annotations

from django.utils import translation
from jinja2 import Environment


def environment(**options: object) -> Environment:
    """A Jinja2 ``Environment`` built from the TEMPLATES ``OPTIONS`` (``options``), with
    ``jinja2.ext.i18n`` and Django's translation functions installed (new-style gettext: ``%(name)s``
    placeholders filled from keyword arguments, results autoescaped)."""
    extensions = list(options.pop("extensions", []) or [])  # type: ignore[call-overload]
    if "jinja2.ext.i18n" not in extensions:
        extensions.append("jinja2.ext.i18n")
    env = Environment(extensions=extensions, **options)  # type: ignore[arg-type]
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env
