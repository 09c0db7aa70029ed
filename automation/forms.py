"""Forms of the rules and webhooks pages (plain forms: they work with JavaScript off)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.services.events import EVENTS

from .models import Rule


class RuleForm(forms.Form):
    """A rule: its conditions as one field each (filled fields are the conditions) and its actions."""

    name = forms.CharField(label=_("Name"), max_length=200)
    match = forms.ChoiceField(label=_("Match"), choices=Rule.Match.choices, initial=Rule.Match.ALL)
    site = forms.CharField(label=_("Site or domain"), required=False, max_length=500)
    url_contains = forms.CharField(label=_("Address contains"), required=False, max_length=500)
    title_words = forms.CharField(label=_("Title contains the words"), required=False, max_length=500)
    text_words = forms.CharField(label=_("Text contains the words"), required=False, max_length=500)
    language = forms.CharField(label=_("Language (e.g. en)"), required=False, max_length=8)
    reading_time_above = forms.IntegerField(
        label=_("Reading time above (minutes)"), required=False, min_value=0
    )
    reading_time_below = forms.IntegerField(
        label=_("Reading time below (minutes)"), required=False, min_value=0
    )
    origin = forms.ChoiceField(
        label=_("Saved through"), required=False, choices=[("", _("Any way")), *Article.Origin.choices]
    )
    add_tags = forms.CharField(label=_("Add tags (comma-separated)"), required=False, max_length=2000)
    archive = forms.BooleanField(label=_("Archive"), required=False)
    favorite = forms.BooleanField(label=_("Mark as favorite"), required=False)
    mark_read = forms.BooleanField(label=_("Mark as read"), required=False)
    stop = forms.BooleanField(
        label=_("Stop here: later rules skip the articles this rule matched"), required=False
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    CONDITION_FIELDS = (
        "site",
        "url_contains",
        "title_words",
        "text_words",
        "language",
        "reading_time_above",
        "reading_time_below",
        "origin",
    )

    @classmethod
    def initial_for(cls, rule: Rule) -> dict[str, object]:
        """The form's initial values for a stored rule."""
        return {
            "name": rule.name,
            "match": rule.match,
            **rule.conditions,
            "add_tags": ", ".join(rule.add_tags),
            "archive": rule.archive,
            "favorite": rule.favorite,
            "mark_read": rule.mark_read,
            "stop": rule.stop,
            "enabled": rule.enabled,
        }

    def conditions(self) -> dict[str, object]:
        """The filled condition fields (after is_valid)."""
        return {
            k: self.cleaned_data[k]
            for k in self.CONDITION_FIELDS
            if self.cleaned_data.get(k) not in (None, "")
        }

    def tags(self) -> list[str]:
        """The tag names typed (after is_valid)."""
        return [t for t in self.cleaned_data["add_tags"].split(",") if t.strip()]


class WebhookForm(forms.Form):
    """A webhook endpoint: its address, a description and the events it receives."""

    url = forms.CharField(label=_("Address (https://…)"), max_length=2048)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=[(e, e) for e in EVENTS], widget=forms.CheckboxSelectMultiple
    )
