import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import agents_list
from core.widgets import ShortModelChoiceField
from reports.forms import LONGEST_DAYS
from tickets.models import Service, Ticket

from .models import Action

_REFERENCE = re.compile(r"(?:SD-)?(\d{1,12})", re.IGNORECASE)


class MeetingForm(forms.Form):
    period_first = forms.DateField(
        label=_("Figures from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_last = forms.DateField(
        label=_("Figures to"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    held_on = forms.DateField(
        label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, strip=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = agents_list()  # read per form: staff come and go

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("period_first"), data.get("period_last")
        if first and last and first > last:
            self.add_error("period_last", _("The period ends before it starts."))
        elif first and last and (last - first).days >= LONGEST_DAYS:
            self.add_error("period_first", _("A period can be at most three years long."))
        return data


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, strip=False
    )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to improve"), choices=Action.Kind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), strip=False
    )
    owner = ShortModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    service = ShortModelChoiceField(
        label=_("Service it improves"),
        queryset=Service.objects.order_by("name"),
        required=False,
        help_text=_("Its grades are compared before and after the action is closed."),
    )
    tickets = forms.CharField(
        label=_("Requests that show it"), required=False, help_text=_("References, e.g. SD-12, SD-40.")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = agents_list()

    def clean_description(self) -> str:
        description = self.cleaned_data["description"]
        if not description.strip():
            raise forms.ValidationError(_("Say what is to be improved."))
        return description

    def clean_tickets(self) -> list[Ticket]:
        text = self.cleaned_data["tickets"]
        parts = [part for part in re.split(r"[\s,;]+", text) if part]
        ids = []
        for part in parts:
            match = _REFERENCE.fullmatch(part)
            if not match:
                raise forms.ValidationError(
                    _("“%(part)s” is not a request reference."), params={"part": part}
                )
            ids.append(int(match.group(1)))
        found = {ticket.pk: ticket for ticket in Ticket.objects.filter(pk__in=ids).only("pk")}
        missing = [f"SD-{pk}" for pk in ids if pk not in found]
        if missing:
            raise forms.ValidationError(_("No such request: %(refs)s."), params={"refs": ", ".join(missing)})
        return list(found.values())


class ActionCloseForm(forms.Form):
    what_was_done = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), strip=False
    )

    def clean_what_was_done(self) -> str:
        text = self.cleaned_data["what_was_done"]
        if not text.strip():
            raise forms.ValidationError(_("Say what was done."))
        return text
