import functools
from collections.abc import Callable, Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import User
from core.widgets import FastSelect, ListedChoiceIterator, ShortModelChoiceField
from customers.models import CustomerCategory

from .attachments import AttachmentsField, AttachmentsForm
from .models import Impact, Priority, Service, Team, Ticket, Urgency
from .selectors import QUEUE_ALL_STATUSES, SAVED_VIEWS, QueueFilters


class AgentChoiceField(forms.ChoiceField):
    """An agent, from a list loaded only when it is needed: to validate a chosen agent or to
    render every option. Most requests need neither, and the list can be hundreds long."""

    widget = FastSelect

    def __init__(self, *, empty_label: str, **kwargs) -> None:
        self.empty_label = empty_label
        self._agents_by_pk: Callable[[], dict[str, User]] = dict
        super().__init__(**kwargs)

    def set_agents(self, load: Callable[[], Iterable[User]]) -> None:
        self._agents_by_pk = functools.cache(lambda: {str(agent.pk): agent for agent in load()})
        self.choices = self._choices_now  # a callable: Django evaluates it only when iterated

    def _choices_now(self) -> list[tuple[str, str]]:
        return [
            ("", self.empty_label),
            *((pk, agent.display_name) for pk, agent in self._agents_by_pk().items()),
        ]

    def clean(self, value) -> User | None:
        value = super().clean(value)
        return self._agents_by_pk().get(str(value)) if value else None


class _ServicesByWhoHandlesThem(ListedChoiceIterator):
    """IT's own services first, then the ones other teams handle under a heading of their own."""

    def __iter__(self):
        ours, theirs = [], []
        for choice in super().__iter__():
            service = getattr(choice[0], "instance", None)
            (theirs if service and not service.provided_by_it else ours).append(choice)
        yield from ours
        if theirs:
            yield (_("Handled by other teams"), theirs)


class ServiceChoiceField(ShortModelChoiceField):
    iterator = _ServicesByWhoHandlesThem


class TicketSubmitForm(AttachmentsForm):
    service = ServiceChoiceField(
        widget=FastSelect,
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
        widget=FastSelect, label=_("How much is it stopping you?"), choices=Urgency, initial=Urgency.MEDIUM
    )
    impact = forms.ChoiceField(
        widget=FastSelect, label=_("Who is affected?"), choices=Impact, initial=Impact.LOW
    )
    attachments = AttachmentsField()

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ReplyForm(AttachmentsForm):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text=_("Markdown works."),
    )
    attachments = AttachmentsField()


class CcAddForm(forms.Form):
    """Copy a colleague on a request, by their e-mail address (their account is looked up)."""

    email = forms.EmailField(
        label=_("Colleague's e-mail address"),
        max_length=254,
        help_text=_("They get IT's replies to this request and can answer."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        address = cleaned.get("email")
        if address:
            cleaned["user"] = account_selectors.user_for_email(address=address)
            if cleaned["user"] is None:
                self.add_error(
                    "email", _("Nobody has an account with this address. Check it, or ask IT to add them.")
                )
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; anything invalid is simply ignored."""

    view = forms.ChoiceField(widget=FastSelect, choices=list(SAVED_VIEWS.items()), required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        widget=FastSelect,
        label=_("Status"),
        choices=[("", _("Any open")), (QUEUE_ALL_STATUSES, _("All statuses")), *Ticket.Status.choices],
        required=False,
    )
    priority = forms.ChoiceField(
        widget=FastSelect, label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False
    )
    service = ShortModelChoiceField(
        widget=FastSelect,
        label=_("Service"),
        queryset=Service.objects.all(),
        required=False,
        empty_label=_("Any"),
    )
    assignee = AgentChoiceField(label=_("Assignee"), required=False, empty_label=_("Anyone"))
    team = ShortModelChoiceField(
        widget=FastSelect, label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Any")
    )
    category = forms.ChoiceField(
        widget=FastSelect,
        label=_("Customer"),
        choices=[("", _("Anyone")), *CustomerCategory.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        widget=FastSelect,
        label=_("Came in by"),
        choices=[("", _("Any way")), *Ticket.Channel.choices],
        required=False,
    )
    sla = forms.ChoiceField(
        widget=FastSelect,
        label=_("SLA"),
        choices=[("", _("Any")), ("breached", _("Breached")), ("at_risk", _("At risk"))],
        required=False,
    )
    due_within_hours = forms.IntegerField(
        label=_("Due within (hours)"), min_value=1, max_value=24 * 30, required=False
    )
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("Sort by"),
        choices=[
            ("due", _("Due first")),
            ("priority", _("Priority")),
            ("newest", _("Newest")),
            ("updated", _("Recently updated")),
        ],
        required=False,
    )

    def __init__(self, *args, agents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].set_agents(agents)
        for field in self.fields.values():  # rendered by hand in a compact panel, not by crispy
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    def active_filters(self) -> list[str]:
        """What narrows the list, in words ("Priority: High"), for the collapsed panel's summary."""
        self.is_valid()
        active = []
        for name in (
            "status",
            "priority",
            "service",
            "assignee",
            "team",
            "category",
            "channel",
            "sla",
            "due_within_hours",
        ):
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            field = self.fields[name]
            shown = dict(field.choices).get(value, value) if isinstance(value, str) else value
            active.append(f"{field.label}: {shown}")
        return active

    def filters(self) -> QueueFilters:
        """The valid filters; a field that did not validate counts as not given."""
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return QueueFilters(**values)


class OwnIdsForm(forms.Form):
    """A form sharing the agent's ticket page with others: its fields get ids of their own
    (several forms there have a `note`, a `root_cause` or a `to_service`)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class AgentReplyForm(AttachmentsForm):
    body = forms.CharField(
        label=_("Reply or internal note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20_000,
        help_text=_("Markdown works. A reply goes to the customer; an internal note stays with IT."),
    )
    attachments = AttachmentsField()
    # Which button sent it: the reply alone, or the reply and a move ("Send and resolve").
    then = forms.ChoiceField(
        choices=[("", ""), (Ticket.Status.RESOLVED, ""), (Ticket.Status.PENDING, "")], required=False
    )


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(
        widget=FastSelect,
        label=_("Move to"),
        choices=Ticket.Status,
        error_messages={"required": _("Choose where the ticket goes next.")},
    )

    def __init__(self, *args, ticket: Ticket, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = Ticket.TRANSITIONS[Ticket.Status(ticket.status)]
        # Starts at a neutral choice: a preselected move is one click from happening by mistake.
        self.fields["status"].choices = [
            ("", _("— choose —")),
            *((s.value, s.label) for s in Ticket.Status if s in allowed),
        ]


class AssignForm(forms.Form):
    assignee = AgentChoiceField(label=_("Assignee"), required=False, empty_label=_("Nobody"))

    def __init__(self, *args, agents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].set_agents(agents)


class TeamForm(forms.Form):
    team = ShortModelChoiceField(
        widget=FastSelect,
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("No team"),
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(widget=FastSelect, label=_("Priority"), choices=Priority)


class EscalateForm(OwnIdsForm):
    id_prefix = "escalate"

    reason = forms.CharField(
        label=_("Why does a manager need to step in?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5_000,
    )
    to_customers_manager = forms.BooleanField(
        required=False,
        label=_("The process is fine and they will not follow it: ask IT's manager to talk to their manager"),
    )


class RedirectForm(OwnIdsForm):
    id_prefix = "redirect"

    to_service = ShortModelChoiceField(
        widget=FastSelect,
        label=_("Who does it instead"),
        queryset=Service.objects.filter(is_active=True, provided_by_it=False),
        empty_label=_("Choose the official process…"),
    )
    root_cause = forms.ChoiceField(
        widget=FastSelect,
        label=_("Why did they come to IT?"),
        # A redirected request is by definition not IT's own work.
        choices=[(v, label) for v, label in Ticket.RootCause.choices if v != Ticket.RootCause.IT_WORK],
    )
    note = forms.CharField(
        label=_("A word of your own (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5_000,
        required=False,
    )


class RootCauseForm(forms.Form):
    root_cause = forms.ChoiceField(
        widget=FastSelect,
        label=_("Root cause"),
        choices=[("", _("Not found yet…")), *Ticket.RootCause.choices],
    )


class TeachForm(OwnIdsForm):
    id_prefix = "teach"

    to_service = ShortModelChoiceField(
        widget=FastSelect,
        label=_("The official process"),
        queryset=Service.objects.filter(is_active=True).exclude(
            process_steps="", form_url="", contact_name=""
        ),
        empty_label=_("Choose the catalog entry…"),
    )
    called_contact = forms.BooleanField(required=False, label=_("I called the contact for the customer"))
    note = forms.CharField(
        label=_("A word of your own (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5_000,
        required=False,
    )


class FulfilForm(OwnIdsForm):
    id_prefix = "fulfil"

    note = forms.CharField(
        label=_("What you did (the customer sees this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5_000,
    )


class BulkUpdateForm(forms.Form):
    tickets = forms.ModelMultipleChoiceField(queryset=Ticket.objects.all(), widget=forms.MultipleHiddenInput)
    assignee = AgentChoiceField(
        label=_("Assign to"),
        required=False,
        empty_label=_("Assign to…"),
        widget=FastSelect(attrs={"class": "form-select form-select-sm w-auto"}),
    )
    status = forms.ChoiceField(
        widget=FastSelect(attrs={"class": "form-select form-select-sm w-auto"}),
        label=_("Set status"),
        choices=[("", _("Set status…")), *Ticket.Status.choices],
        required=False,
    )

    def __init__(self, *args, agents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].set_agents(agents)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("assignee") and not cleaned.get("status"):
            raise forms.ValidationError(_("Choose someone to assign to, a status, or both."))
        return cleaned


class ProcessEscalateForm(OwnIdsForm):
    id_prefix = "process"

    process = ShortModelChoiceField(
        widget=FastSelect,
        label=_("Which official process"),
        queryset=Service.objects.filter(is_active=True),
        empty_label=_("Choose the catalog entry…"),
    )
    suggested_fix = forms.CharField(
        label=_("What would fix it"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000
    )


class ProcessHealthForm(forms.Form):
    health = forms.ChoiceField(
        widget=FastSelect(attrs={"class": "form-select form-select-sm"}),
        label=_("Health"),
        choices=[("works", _("Works")), ("cumbersome", _("Cumbersome")), ("broken", _("Broken"))],
    )


class ImprovementDoneForm(forms.Form):
    what_changed = forms.CharField(
        label=_("What changed (every customer it turned away is told)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5_000,
    )


class TicketLogForm(TicketSubmitForm):
    """An agent logging a request for a caller or a visitor: the customer's form, and how it came."""

    channel = forms.ChoiceField(
        widget=FastSelect,
        label=_("How did it reach you?"),
        choices=[(c.value, c.label) for c in Ticket.Channel if c != Ticket.Channel.PORTAL],
        initial=Ticket.Channel.PHONE,
    )

    field_order = ["channel", "service", "title", "description", "urgency", "impact", "attachments"]


class CustomerFindForm(forms.Form):
    q = forms.CharField(
        label=_("Find the customer"),
        max_length=100,
        required=False,
        help_text=_("Part of their name, username or e-mail address."),
    )


class CustomerQuickCreateForm(forms.Form):
    """A caller IT has no account for: their account, made on the spot (they set a password
    through "Forgotten your password?")."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone already has this address: find them above."))
        return email
