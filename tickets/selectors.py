"""Everything the tickets app shows: each read is permission-aware and fetches what its page needs."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import Http404

from accounts.models import User
from accounts.roles import works_tickets
from core.params import id_param
from customers.models import CustomerCategory

from . import sla
from .models import (
    SEARCH_CONFIG,
    Attachment,
    BusinessCalendar,
    CannedResponse,
    Priority,
    Service,
    SlaPolicy,
    Team,
    Ticket,
    TicketCC,
    TicketEvent,
    TicketMessage,
)
from .querysets import on_customers_side, sla_due_before, turned_away_by_process

# Used until someone sets up a calendar or policies in the admin (seed_demo does): a working
# week of Monday to Friday, 09:00 to 17:30, and these targets in business minutes.
DEFAULT_WORKING_HOURS = {weekday: (time(9), time(17, 30)) for weekday in range(5)}
DEFAULT_SLA_TARGETS = {
    Priority.CRITICAL: (30, 4 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.MEDIUM: (4 * 60, 3 * 8 * 60),
    Priority.LOW: (8 * 60, 5 * 8 * 60),
}


@dataclass(frozen=True)
class SlaTargets:
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class SlaExpectation:
    """What a customer can rely on for a request made now."""

    first_response_due_at: datetime
    resolution_due_at: datetime


def working_calendar_get() -> sla.WorkingCalendar:
    """The default business calendar (two queries), or Monday–Friday office hours if none is set."""
    calendar = (
        BusinessCalendar.objects.filter(is_default=True).prefetch_related("working_hours", "holidays").first()
    )
    if calendar is None:
        return sla.WorkingCalendar(time_zone=ZoneInfo(settings.TIME_ZONE), hours=DEFAULT_WORKING_HOURS)
    return sla.WorkingCalendar(
        time_zone=ZoneInfo(calendar.time_zone),
        hours={period.weekday: (period.opens, period.closes) for period in calendar.working_hours.all()},
        holidays=frozenset(holiday.date for holiday in calendar.holidays.all()),
    )


def desk_is_open(*, now: datetime) -> bool:
    """Whether `now` falls in the default calendar's business hours (the follow-ups' rule)."""
    return sla.add_business_minutes(working_calendar_get(), now, 0) <= now


def sla_targets_get(*, priority: str, category: str) -> SlaTargets:
    """The targets for a priority: the category's own policy if there is one, else the default."""
    policies = {
        policy.customer_category: policy
        for policy in SlaPolicy.objects.filter(priority=priority, customer_category__in=[category, ""])
    }
    policy = policies.get(category) or policies.get("")
    if policy is None:
        return SlaTargets(*DEFAULT_SLA_TARGETS[Priority(priority)])
    return SlaTargets(policy.first_response_minutes, policy.resolution_minutes)


def sla_expectation_get(
    *, priority: str, category: str, start: datetime, paused_minutes: int = 0
) -> SlaExpectation:
    """When a request made at `start` should first be answered and be done, in working time,
    allowing for the minutes its clock has stood still."""
    targets = sla_targets_get(priority=priority, category=category)
    calendar = working_calendar_get()
    return SlaExpectation(
        first_response_due_at=sla.add_business_minutes(
            calendar, start, targets.first_response_minutes + paused_minutes
        ),
        resolution_due_at=sla.add_business_minutes(
            calendar, start, targets.resolution_minutes + paused_minutes
        ),
    )


def service_list_for_catalog() -> QuerySet[Service]:
    """Active catalog entries customers may choose (not those not yet supported), IT's own first:
    the catalog, the portal's and API's request forms and e-mail routing all choose from these."""
    return Service.objects.filter(is_active=True, not_yet_supported=False).select_related("default_team")


def service_chosen(*, value: object) -> Service | None:
    """The active catalog entry a form's raw service value names, or None (also when malformed)."""
    pk = id_param(value)
    return service_list_for_catalog().filter(pk=pk).first() if pk is not None else None


def service_get_for_catalog(*, slug: str) -> Service:
    try:
        return service_list_for_catalog().get(slug=slug)
    except Service.DoesNotExist:
        raise Http404 from None


# What "My requests" shows on each row.
_CUSTOMER_LIST_COLUMNS = (
    "pk",
    "title",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "first_response_due_at",
    "first_responded_at",
    "resolution_due_at",
    "resolved_at",
    "sla_paused_at",
    "service__name",
    "service__slug",
)
_CC_USER_COLUMNS = ("user__id", "user__username", "user__first_name", "user__last_name", "user__email")


def ticket_list_for_customer(*, customer: User) -> QuerySet[Ticket]:
    """The customer's own requests, newest first, with what "My requests" shows on each row."""
    return Ticket.objects.for_customer(customer).select_related("service").only(*_CUSTOMER_LIST_COLUMNS)


def ticket_list_copied_to(*, user: User) -> QuerySet[Ticket]:
    """The requests someone else asked for and copied this person on, newest first."""
    return (
        Ticket.objects.filter(ccs__user=user)
        .select_related("service", "customer")
        .only(*_CUSTOMER_LIST_COLUMNS, "customer__first_name", "customer__last_name", "customer__username")
        .order_by("-created_at", "-pk")
    )


def ticket_list_for_customer_side(*, user: User) -> QuerySet[Ticket]:
    """Every request on this person's side, newest first: their own and those they are copied on
    (the API's list; the portal shows the two apart)."""
    return (
        Ticket.objects.filter(on_customers_side(user))
        .select_related("service", "assignee")
        .defer("description", "search_document")
    )


def ticket_get_for_customer(*, customer: User, pk: int) -> Ticket:
    """A ticket on the customer's side: their own, or one they are copied on (`viewer_is_customer`
    says which); anyone else's is a 404, as if it did not exist."""
    try:
        ticket = (
            Ticket.objects.filter(on_customers_side(customer))
            .select_related("service", "assignee", "customer")
            .defer("search_document")
            .get(pk=pk)
        )
    except Ticket.DoesNotExist:
        raise Http404 from None
    ticket.viewer_is_customer = ticket.customer_id == customer.pk
    return ticket


def ticket_cc_get(*, ticket: Ticket, user_id: int) -> TicketCC:
    """One person copied on this request; a 404 for anyone who is not."""
    try:
        return ticket.ccs.select_related("user").get(user_id=user_id)
    except TicketCC.DoesNotExist:
        raise Http404 from None


def ticket_cc_list(*, ticket: Ticket) -> list[TicketCC]:
    """The people copied on a request, in the order they were added."""
    columns = ("id", "ticket_id", "user_id", "created_at", *_CC_USER_COLUMNS)
    return list(ticket.ccs.select_related("user").only(*columns))


def ticket_conversation_for_customer(*, ticket: Ticket) -> QuerySet:
    """Public replies only, with their files: internal notes never leave the agents' side."""
    return ticket.messages.filter(is_internal=False).select_related("author").prefetch_related("attachments")


def ticket_request_attachments(*, ticket: Ticket) -> QuerySet[Attachment]:
    """The files that came with the request itself (not with a reply)."""
    return ticket.attachments.filter(message__isnull=True)


# A file that came with an internal note never reaches the customer's side.
_ON_INTERNAL_NOTE = Q(message__is_internal=True)


def ticket_attachments_for_customer(*, ticket: Ticket) -> QuerySet[Attachment]:
    """The files of a request its customer's side sees: the request's own and the public replies'."""
    return ticket.attachments.exclude(_ON_INTERNAL_NOTE)


def ticket_attachments_for_agent(*, ticket: Ticket) -> QuerySet[Attachment]:
    """Every file of a ticket, internal notes' too."""
    return ticket.attachments.all()


def attachment_get_for_user(*, user: User, pk: int) -> Attachment:
    """An attachment its viewer may download: agents any; a customer only their own ticket's, and
    never one on an internal note. Anything else is a 404."""
    attachments = Attachment.objects.select_related("ticket", "message")
    if not works_tickets(user):
        attachments = attachments.filter(on_customers_side(user, prefix="ticket__")).exclude(
            _ON_INTERNAL_NOTE
        )
    try:
        return attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None


# --- The agents' queue ----------------------------------------------------------------------

SAVED_VIEWS = {
    "open": "All open",
    "mine": "My open",
    "unassigned": "Unassigned",
    "breaching": "Breaching soon",
    "vip": "VIP",
}
SORTS = {
    "due": ("resolution_due_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "priority": ("priority", "resolution_due_at", "pk"),
    "updated": ("-updated_at", "-pk"),
}
_REFERENCE = re.compile(r"^\s*(?:SD-)?(\d{1,12})\s*$", re.IGNORECASE)
QUEUE_ALL_STATUSES = "all"


@dataclass(frozen=True)
class QueueFilters:
    """What an agent asked the queue for; every field optional (see forms.QueueFilterForm)."""

    view: str = "open"
    status: str = ""
    priority: str = ""
    service: Service | None = None
    assignee: User | None = None
    team: Team | None = None
    category: str = ""
    channel: str = ""
    sla: str = ""
    due_within_hours: int | None = None
    q: str = ""
    sort: str = "due"


def ticket_queue_for_agent(*, agent: User, filters: QueueFilters, now: datetime) -> QuerySet[Ticket]:
    """The tickets an agent's queue shows, filtered and sorted, with each row's data joined in."""
    # A status asked for by name may be a closed one; "all" is every status (a search's second
    # look); otherwise the queue is what is still open.
    if filters.status == QUEUE_ALL_STATUSES:
        tickets = Ticket.objects.all()
    elif filters.status:
        tickets = Ticket.objects.filter(status=filters.status)
    else:
        tickets = Ticket.objects.unresolved()

    if filters.view == "mine":
        tickets = tickets.filter(assignee=agent)
    elif filters.view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.view == "breaching":
        tickets = tickets.sla_due_before(now + timedelta(hours=settings.SLA_AT_RISK_HOURS))
    elif filters.view == "vip":
        tickets = tickets.filter(customer__customer_profile__category=CustomerCategory.VIP)

    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.service:
        tickets = tickets.filter(service=filters.service)
    if filters.assignee:
        tickets = tickets.filter(assignee=filters.assignee)
    if filters.team:
        tickets = tickets.filter(team=filters.team)
    if filters.category == CustomerCategory.GENERAL:
        # No profile yet means general.
        tickets = tickets.exclude(
            customer__customer_profile__category__in=[CustomerCategory.VIP, CustomerCategory.REPEAT_OFFENDER]
        )
    elif filters.category:
        tickets = tickets.filter(customer__customer_profile__category=filters.category)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.sla == "breached":
        tickets = tickets.sla_due_before(now)
    elif filters.sla == "at_risk":
        tickets = tickets.sla_due_before(now + timedelta(hours=settings.SLA_AT_RISK_HOURS)).exclude(
            sla_due_before(now)
        )
    if filters.due_within_hours:
        tickets = tickets.sla_due_before(now + timedelta(hours=filters.due_within_hours))
    if filters.q:
        tickets = _search(tickets, filters.q)

    # People are joined; the few services and teams come by a second, tiny query each: a join
    # of six tables costs Postgres more to plan (about 2.5 ms) than the whole query takes to run.
    return (
        tickets.select_related("assignee", "customer__customer_profile")
        .prefetch_related("service", "team")
        .defer(*_QUEUE_UNUSED_FIELDS)
        .order_by(*SORTS.get(filters.sort, SORTS["due"]))
    )


# Columns a queue row never shows: large text, and the people's private account fields.
_QUEUE_UNUSED_FIELDS = (
    "description",
    "search_document",
    *(
        f"{person}__{field}"
        for person in ("assignee", "customer")
        for field in ("password", "last_login", "is_superuser", "is_staff", "date_joined")
    ),
)


@dataclass(frozen=True)
class DeskSummary:
    mine: int
    unassigned: int
    breaching: int


def desk_summary_for_agent(*, agent: User, now: datetime) -> DeskSummary:
    """The counts an agent's home page leads with, in one query over the open tickets."""
    soon = sla_due_before(now + timedelta(hours=settings.SLA_AT_RISK_HOURS))
    counts = Ticket.objects.unresolved().aggregate(
        mine=Count("pk", filter=Q(assignee=agent)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        breaching=Count("pk", filter=soon),
    )
    return DeskSummary(**counts)


def ticket_pk_for_reference(*, text: str) -> int | None:
    """The ticket a search for a reference ("SD-12" or "12") names, in any status, or None."""
    reference = _REFERENCE.match(text)
    if reference is None:
        return None
    return Ticket.objects.filter(pk=int(reference.group(1))).values_list("pk", flat=True).first()


def _search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    reference = _REFERENCE.match(text)
    if reference:
        return tickets.filter(pk=int(reference.group(1)))
    if connection.vendor == "postgresql":
        return tickets.filter(
            search_document=SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        )
    # SQLite (development): a plain LIKE over the same text the Postgres document holds.
    matches = Ticket.objects.filter(
        Q(title__icontains=text) | Q(description__icontains=text) | Q(messages__body__icontains=text)
    )
    return tickets.filter(pk__in=matches.values("pk"))


def ticket_get_for_agent(*, pk: int) -> Ticket:
    """Any ticket, for the people who work them (the views check the agent permission)."""
    try:
        # Service and team load on their own when shown (see ticket_queue_for_agent on join planning).
        return (
            Ticket.objects.select_related("assignee", "customer__customer_profile")
            .defer("search_document")
            .get(pk=pk)
        )
    except Ticket.DoesNotExist:
        raise Http404 from None


def ticket_conversation_for_agent(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    """Every reply and internal note with their files, oldest first."""
    return ticket.messages.select_related("author").prefetch_related("attachments")


def canned_response_list() -> QuerySet[CannedResponse]:
    return CannedResponse.objects.filter(is_active=True).only("pk", "title", "body")


def ticket_history(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor")


# --- The process register ---------------------------------------------------------------------


# Worst first: a broken process before a cumbersome one before one that works.
PROCESS_HEALTH_RANK = {"broken": 0, "cumbersome": 1, "works": 2}


def process_register(*, since: datetime) -> QuerySet[Service]:
    """Official processes, worst first: by health, then by how many customers they turned away
    (querysets.turned_away_by_process, the one definition the reports use too), in all and since
    `since`, then by requests that cited them."""
    turned_away = turned_away_by_process("citing_tickets__")
    return (
        Service.objects.filter(Q(provided_by_it=False) | ~Q(process_steps=""), is_active=True)
        .annotate(
            customers_turned_away=Count("citing_tickets__customer", filter=turned_away, distinct=True),
            customers_turned_away_recently=Count(
                "citing_tickets__customer",
                filter=turned_away & Q(citing_tickets__created_at__gte=since),
                distinct=True,
            ),
            requests_cited=Count("citing_tickets", distinct=True),
            requests_cited_recently=Count(
                "citing_tickets", filter=Q(citing_tickets__created_at__gte=since), distinct=True
            ),
            health_rank=Case(
                *(
                    When(process_health=health, then=Value(rank))
                    for health, rank in PROCESS_HEALTH_RANK.items()
                ),
                default=Value(len(PROCESS_HEALTH_RANK)),
            ),
        )
        .prefetch_related("improvements__proposed_by")
        .order_by("health_rank", "-customers_turned_away", "-requests_cited", "name")
    )


# --- What other apps show of tickets: a customer's requests (the customer 360 page) ----------

RECENT_REQUESTS_SHOWN = 50


@dataclass(frozen=True)
class CustomerRequests:
    """A customer's requests as staff see them on the customer's page."""

    recent: list[Ticket]
    total: int
    unresolved: int
    root_causes: list[tuple[str, int]]  # (label, requests), every root cause in its order


def customer_requests_get(*, customer: User) -> CustomerRequests:
    """The customer's latest requests, how many in all and unresolved, and why they came to IT."""
    tickets = Ticket.objects.filter(customer=customer)
    root_causes = {
        row["root_cause"]: row["n"]
        for row in tickets.exclude(root_cause="").values("root_cause").annotate(n=Count("pk"))
    }
    return CustomerRequests(
        recent=list(
            tickets.select_related("service", "assignee").defer("search_document")[:RECENT_REQUESTS_SHOWN]
        ),
        total=tickets.count(),
        unresolved=tickets.unresolved().count(),
        root_causes=[(label, root_causes.get(value, 0)) for value, label in Ticket.RootCause.choices],
    )


def ticket_bypass_count(*, customer: User, since: datetime) -> int:
    """Requests this customer brought to IT instead of the official process, on purpose, since then."""
    return Ticket.objects.filter(
        customer=customer, root_cause=Ticket.RootCause.BYPASSED_PROCESS, resolved_at__gte=since
    ).count()


def ticket_requests_by_service(*, customer: User, service_ids: set[int]) -> list[tuple[int, datetime]]:
    """(service id, submitted at) of each of the customer's requests for these services."""
    if not service_ids:
        return []
    return list(
        Ticket.objects.filter(customer=customer, service_id__in=service_ids).values_list(
            "service_id", "created_at"
        )
    )


def team_names() -> dict[str, str]:
    """Every team's name by id (filters and report labels)."""
    return {str(pk): name for pk, name in Team.objects.order_by("name").values_list("pk", "name")}


def service_names() -> dict[str, str]:
    """Every catalog entry's name by id (filters and report labels)."""
    return {str(pk): name for pk, name in Service.objects.order_by("name").values_list("pk", "name")}


def service_for_email() -> Service | None:
    """The catalog entry a request that arrives by e-mail starts on: INBOUND_SERVICE_SLUG if set
    and active, else the catalog's first entry (None when none is active); agents move it to the
    right one."""
    services = service_list_for_catalog()
    if settings.INBOUND_SERVICE_SLUG:
        chosen = services.filter(slug=settings.INBOUND_SERVICE_SLUG).first()
        if chosen is not None:
            return chosen
    return services.first()
