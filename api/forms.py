"""The API's own checks, where the pages' forms do not fit; and the token page's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket


class StatusForm(forms.Form):
    """Any status: whether the ticket may move there is the workflow's to say (409 if not)."""

    status = forms.ChoiceField(choices=Ticket.Status.choices)


class InternalForm(forms.Form):
    internal = forms.BooleanField(required=False)


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What it is for, e.g. “Monitoring” or “My laptop”.")
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty for a token that works until you revoke it."),
    )
