from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Impact, Service, Urgency


class TicketSubmitForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label=_("What is it about?"),
        empty_label=_("Choose a service…"),
        help_text=_("Not sure? Choose “Something else”."),
    )
    title = forms.CharField(
        label=_("Summary"), max_length=200, help_text=_("One line, e.g. “Laptop will not start”.")
    )
    description = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_("What happened, what you expected, any error message. Markdown works."),
    )
    urgency = forms.ChoiceField(
        label=_("How much is it stopping you?"), choices=Urgency, initial=Urgency.MEDIUM
    )
    impact = forms.ChoiceField(label=_("Who is affected?"), choices=Impact, initial=Impact.LOW)

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text=_("Markdown works."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )
