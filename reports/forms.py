from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerCategory
from tickets.models import Ticket

from .periods import PRESET_DAYS, Period
from .selectors import scope_choices

PERIOD_LABELS = {7: _("Last 7 days"), 30: _("Last 30 days"), 90: _("Last 90 days"), 180: _("Last 6 months"),
                 365: _("Last 12 months"), 730: _("Last 2 years")}  # fmt: skip
LONGEST_DAYS = 3 * 366  # rollups reach back as far as the data; a longer period is not a dashboard


class DashboardFilterForm(forms.Form):
    """The period and the one filter a dashboard is read with (every field optional)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(str(days), PERIOD_LABELS[days]) for days in PRESET_DAYS] + [("custom", _("Dates below"))],
        required=False,
    )
    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("Show"), required=False)

    def __init__(self, *args, teams: dict[str, str], services: dict[str, str], today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["scope"].choices = [
            ("", _("The whole desk")),
            (_("Team"), [(f"team:{pk}", name) for pk, name in teams.items()]),
            (_("Service"), [(f"service:{pk}", name) for pk, name in services.items()]),
            (
                _("Customer category"),
                [(f"category:{value}", label) for value, label in CustomerCategory.choices],
            ),
            (_("Channel"), [(f"channel:{value}", label) for value, label in Ticket.Channel.choices]),
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("period", "scope") else "form-control"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("period") != "custom":
            return data
        first, last = data.get("first"), data.get("last")
        if not first:
            self.add_error("first", _("Give the first day of the period."))
        if not last:
            self.add_error("last", _("Give the last day of the period."))
        if first and last:
            if last < first:
                self.add_error("last", _("The last day cannot be before the first."))
            elif last > self.today:
                self.add_error("last", _("The period cannot end after today."))
            elif (last - first).days + 1 > LONGEST_DAYS:
                self.add_error("first", _("A period can be at most three years long."))
        return data

    def chosen_period(self) -> Period:
        """The period asked for; the default (90 days) when the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("period") == "custom":
            return Period(data["first"], data["last"])
        days = int(data.get("period") or PRESET_DAYS[0])
        return Period(self.today - timedelta(days=days - 1), self.today)

    def chosen_scope(self) -> str:
        return (self.cleaned_data.get("scope") or "") if self.is_valid() else ""

    def chosen_scope_label(self) -> str:
        """What the chosen filter is, in words ("Channel: Phone"), for the printed page."""
        scope = self.chosen_scope()
        for group, options in self.fields["scope"].choices[1:]:
            for value, label in options:
                if value == scope:
                    return f"{group}: {label}"
        return ""


def dashboard_filter_form(query) -> tuple[DashboardFilterForm, dict[str, str], dict[str, str]]:
    """The dashboard's filter read from a query string, with the team and service names it offers:
    how the report pages and the API read a period and filter alike."""
    teams, services = scope_choices()
    return (
        DashboardFilterForm(query, teams=teams, services=services, today=timezone.localdate()),
        teams,
        services,
    )
