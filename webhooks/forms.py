from django import forms
from django.utils.translation import gettext_lazy as _

from .events import EVENT_CHOICES
from .security import UnsafeDestination, destination_check


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where each event is POSTed, signed (Standard Webhooks). http:// or https://."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    is_active = forms.BooleanField(label=_("Active: deliver events to it"), required=False, initial=True)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            destination_check(url)
        except UnsafeDestination as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url
