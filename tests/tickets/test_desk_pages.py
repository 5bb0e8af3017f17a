"""The agents' desk: the queue and the ticket page, role by role and action by action."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerCategory, CustomerProfile
from tickets.models import Ticket, TicketEvent

from ..accounts.factories import AgentFactory, CustomerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import OutOfScopeServiceFactory, TeamFactory, TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("tickets:queue")


def _titles(response) -> set[str]:
    return {ticket.title for ticket in response.context["tickets"]}


def test_desk_is_for_agents_and_managers(client, customer_client, agent_client, manager_client):
    ticket = TicketFactory()

    for url in (QUEUE, reverse("tickets:agent_detail", args=[ticket.pk])):
        assert agent_client.get(url).status_code == 200
        assert manager_client.get(url).status_code == 200
        assert customer_client.get(url).status_code == 403
        assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    "action",
    [
        "agent_reply",
        "agent_status",
        "agent_claim",
        "agent_assign",
        "agent_team",
        "agent_priority",
        "agent_escalate",
        "agent_redirect",
    ],
)
def test_customers_cannot_act_on_tickets(customer_client, customer, action):
    ticket = TicketFactory(customer=customer)

    response = customer_client.post(
        reverse(f"tickets:{action}", args=[ticket.pk]), {"body": "x", "status": "resolved"}
    )

    assert response.status_code == 403
    assert list(ticket.events.values_list("kind", flat=True)) == []


def test_unknown_ticket_is_a_404(agent_client):
    assert agent_client.get(reverse("tickets:agent_detail", args=[999_999])).status_code == 404


def test_saved_views_select_the_right_tickets(agent_client, agent):
    now = timezone.now()
    TicketFactory(title="mine", assignee=agent)
    TicketFactory(title="unassigned")
    TicketFactory(title="theirs", assignee=AgentFactory())
    TicketFactory(title="breaching", first_response_due_at=now + timedelta(minutes=30))
    vip = CustomerFactory()
    CustomerProfile.objects.create(user=vip, category=CustomerCategory.VIP)
    TicketFactory(title="vip", customer=vip)
    TicketFactory(title="done", status=Ticket.Status.RESOLVED, resolved_at=now, sla_paused_at=now)

    assert _titles(agent_client.get(QUEUE, {"view": "mine"})) == {"mine"}
    assert _titles(agent_client.get(QUEUE, {"view": "unassigned"})) == {"unassigned", "breaching", "vip"}
    assert _titles(agent_client.get(QUEUE, {"view": "breaching"})) == {"breaching"}
    assert _titles(agent_client.get(QUEUE, {"view": "vip"})) == {"vip"}
    assert "done" not in _titles(agent_client.get(QUEUE))
    assert _titles(agent_client.get(QUEUE, {"status": "resolved"})) == {"done"}


def test_filters_combine(agent_client):
    team = TeamFactory(name="Network")
    TicketFactory(title="network p1", team=team, priority="p1")
    TicketFactory(title="network p4", team=team, priority="p4")
    TicketFactory(title="other p1", priority="p1")
    breached = TicketFactory(title="late", first_response_due_at=timezone.now() - timedelta(hours=1))

    assert _titles(agent_client.get(QUEUE, {"team": team.pk, "priority": "p1"})) == {"network p1"}
    assert _titles(agent_client.get(QUEUE, {"sla": "breached"})) == {breached.title}
    assert _titles(agent_client.get(QUEUE, {"due_within_hours": 2})) == {breached.title}


def test_repeat_offender_and_general_filters_split_customers(agent_client):
    offender = CustomerFactory()
    CustomerProfile.objects.create(user=offender, category=CustomerCategory.REPEAT_OFFENDER)
    TicketFactory(title="offender", customer=offender)
    TicketFactory(title="no profile")

    assert _titles(agent_client.get(QUEUE, {"category": "repeat_offender"})) == {"offender"}
    assert _titles(agent_client.get(QUEUE, {"category": "general"})) == {"no profile"}


def test_the_channel_filter_lists_what_came_in_that_way(agent_client):
    TicketFactory(title="called", channel=Ticket.Channel.PHONE)
    TicketFactory(title="mailed", channel=Ticket.Channel.EMAIL)
    TicketFactory(title="typed")

    assert _titles(agent_client.get(QUEUE, {"channel": "phone"})) == {"called"}
    assert _titles(agent_client.get(QUEUE, {"channel": "portal"})) == {"typed"}
    assert "Came in by: Phone" in agent_client.get(QUEUE, {"channel": "phone"}).content.decode()


def test_search_finds_titles_descriptions_replies_and_references(agent_client):
    from tickets.services import ticket_create, ticket_reply

    customer = CustomerFactory()
    printer = ticket_create(
        customer=customer,
        title="Printer jams",
        description="Tray two",
        service=TicketFactory().service,
        urgency="low",
        impact="low",
    )
    vpn = ticket_create(
        customer=customer,
        title="VPN",
        description="Cannot connect",
        service=printer.service,
        urgency="low",
        impact="low",
    )
    ticket_reply(ticket=vpn, author=customer, body="The error says certificate expired")

    assert _titles(agent_client.get(QUEUE, {"q": "printer"})) == {"Printer jams"}
    assert _titles(agent_client.get(QUEUE, {"q": "certificate"})) == {"VPN"}
    # A reference goes straight to the ticket (see test_a_reference_jumps_to_its_ticket_in_any_status).
    assert agent_client.get(QUEUE, {"q": printer.reference}).url == reverse(
        "tickets:agent_detail", args=[printer.pk]
    )


def test_invalid_filters_are_ignored_not_500(agent_client):
    TicketFactory(title="still listed")

    response = agent_client.get(
        QUEUE, {"priority": "p9", "team": "abc", "due_within_hours": "-4", "sort": "nope"}
    )

    assert response.status_code == 200
    assert _titles(response) == {"still listed"}


def test_queue_runs_a_constant_number_of_queries(agent_client, django_assert_max_num_queries):
    TicketFactory.create_batch(60)

    # session, user, permissions (2), agents for the menus, count, a page of tickets,
    # the over-the-cap check, the filters' choices
    with django_assert_max_num_queries(12):
        response = agent_client.get(QUEUE)

    assert response.status_code == 200
    assert len(response.context["tickets"]) == 25


def test_htmx_filtering_returns_only_the_results(agent_client):
    TicketFactory(title="listed")

    response = agent_client.get(QUEUE, {"priority": "p4"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="queue-results">')
    assert "listed" in page


def test_bulk_assign_and_status_change(agent_client, agent):
    tickets = TicketFactory.create_batch(3)

    response = agent_client.post(
        reverse("tickets:bulk_update"),
        {"tickets": [t.pk for t in tickets], "assignee": agent.pk, "status": "pending"},
        follow=True,
    )

    assert "3 tickets updated." in response.content.decode()
    assert set(Ticket.objects.values_list("assignee", "status")) == {(agent.pk, "pending")}


def test_bulk_change_reports_what_it_could_not_do(agent_client):
    now = timezone.now()
    movable = TicketFactory()
    closed = TicketFactory(status=Ticket.Status.CLOSED, resolved_at=now, closed_at=now)

    response = agent_client.post(
        reverse("tickets:bulk_update"),
        {"tickets": [movable.pk, closed.pk], "status": "resolved"},
        follow=True,
    )

    page = response.content.decode()
    assert "1 ticket updated." in page
    assert f"{closed.reference} left as it was" in page


def test_bulk_change_without_an_action_says_so(agent_client):
    response = agent_client.post(
        reverse("tickets:bulk_update"), {"tickets": [TicketFactory().pk]}, follow=True
    )

    assert "Choose someone to assign to, a status, or both." in response.content.decode()


def test_ticket_page_shows_notes_apart_and_the_customer_category(agent_client, agent):
    customer = CustomerFactory()
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.VIP, department="Board")
    ticket = TicketFactory(customer=customer)
    TicketMessageFactory(ticket=ticket, author=agent, body="Secret note", is_internal=True)

    page = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk])).content.decode()

    assert "Internal note" in page
    assert "Secret note" in page
    assert ">VIP<" in page
    assert "Board" in page


def test_reply_and_internal_note_from_the_page(agent_client, agent):
    ticket = TicketFactory()
    url = reverse("tickets:agent_reply", args=[ticket.pk])

    agent_client.post(url, {"body": "Public answer"})
    agent_client.post(url, {"body": "Just for us", "internal": "1"})

    assert list(ticket.messages.values_list("body", "is_internal")) == [
        ("Public answer", False),
        ("Just for us", True),
    ]


def test_empty_reply_shows_the_error_at_the_field(agent_client):
    ticket = TicketFactory()

    response = agent_client.post(reverse("tickets:agent_reply", args=[ticket.pk]), {"body": ""})

    assert response.status_code == 400
    assert 'id="error_1_id_body"' in response.content.decode()


def test_status_change_refused_by_the_workflow_is_explained(agent_client):
    ticket = TicketFactory()

    response = agent_client.post(reverse("tickets:agent_status", args=[ticket.pk]), {"status": "closed"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_take_it_tells_the_second_agent_who_has_it(agent_client):
    other = AgentFactory(first_name="Olu", last_name="Ade")
    ticket = TicketFactory(assignee=other)

    response = agent_client.post(reverse("tickets:agent_claim", args=[ticket.pk]))

    assert response.status_code == 400
    assert "Olu Ade has already taken this ticket." in response.content.decode()


def test_assign_priority_escalate_and_redirect_from_the_page(agent_client, agent, manager):
    ticket = TicketFactory()
    paper = OutOfScopeServiceFactory()

    network = TeamFactory(name="Network")
    agent_client.post(reverse("tickets:agent_assign", args=[ticket.pk]), {"assignee": manager.pk})
    agent_client.post(reverse("tickets:agent_team", args=[ticket.pk]), {"team": network.pk})
    agent_client.post(reverse("tickets:agent_priority", args=[ticket.pk]), {"priority": "p1"})
    agent_client.post(reverse("tickets:agent_escalate", args=[ticket.pk]), {"reason": "Board meeting at 3"})
    agent_client.post(
        reverse("tickets:agent_redirect", args=[ticket.pk]),
        {"to_service": paper.pk, "root_cause": "did_not_know", "note": ""},
    )

    ticket.refresh_from_db()
    assert ticket.assignee == manager
    assert ticket.team == network
    assert ticket.priority == "p1"
    assert ticket.escalated_at is not None
    assert ticket.resolution == Ticket.Resolution.REDIRECTED
    kinds = list(ticket.events.values_list("kind", flat=True))
    for kind in ("assigned", "team", "priority", "escalated", "redirected"):
        assert kind in kinds
    assert ticket.events.get(kind=TicketEvent.Kind.ESCALATED).note == "Board meeting at 3"


def test_ticket_page_runs_a_constant_number_of_queries(agent_client, agent, django_assert_max_num_queries):
    ticket = TicketFactory()
    for _ in range(15):
        TicketMessageFactory(ticket=ticket, author=agent)

    # 13 for the ticket and its parts (15 messages or 1), then readiness's two: the service
    # standards still to read (the desk's banner) and who is trained on the service (routing hint).
    with django_assert_max_num_queries(15):
        response = agent_client.get(reverse("tickets:agent_detail", args=[ticket.pk]))

    assert response.status_code == 200
    assert len(response.context["conversation"]) == 15


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_text_renders_inert_on_the_desk(agent_client, hostile):
    typed = hostile.replace("\0", "")
    ticket = TicketFactory(title=typed[:200], description=typed)
    TicketMessageFactory(ticket=ticket, body=typed)

    for url in (QUEUE, reverse("tickets:agent_detail", args=[ticket.pk]), QUEUE + "?q=" + typed[:100]):
        page = agent_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
        assert "<svg onload" not in page
        assert '<a href="javascript:' not in page.lower()  # typed markup shows as text, never as a link


def test_the_filter_panel_is_built_when_opened_and_summarises_what_is_in_use(agent_client):
    TeamFactory(name="Network")
    closed = agent_client.get(QUEUE).content.decode()
    opened = agent_client.get(QUEUE, {"view": "mine", "panel": "filters"}, headers={"HX-Request": "true"})
    in_use = agent_client.get(QUEUE, {"priority": "p1", "sla": "breached"}).content.decode()
    no_script = agent_client.get(QUEUE, {"panel": "filters"}).content.decode()

    assert 'id="id_priority"' not in closed
    assert "panel=filters" in closed
    assert opened.content.decode().lstrip().startswith("<form")
    assert 'id="id_priority"' in opened.content.decode()
    assert "Priority: Critical" in in_use
    assert "SLA: Breached" in in_use
    assert 'id="id_priority"' in no_script


def test_agent_menus_load_their_options_on_first_use(agent_client, customer_client, agent):
    other = AgentFactory(first_name="Olu", last_name="Ade")
    url = reverse("tickets:agent_options")

    options = agent_client.get(url, {"selected": other.pk, "empty": "Nobody"}).content.decode()

    assert '<option value="">Nobody</option>' in options
    assert re.search(rf'<option value="{other.pk}"\s+selected>Olu Ade</option>', options)
    assert agent.display_name in options
    assert customer_client.get(url).status_code == 403
    queue = agent_client.get(QUEUE).content.decode()
    assert 'hx-get="/desk/agents/options/' in queue
    assert "Olu Ade" not in queue  # the menu is empty until used


def test_collapsed_panels_are_built_when_opened(agent_client):
    ticket = TicketFactory()
    OutOfScopeServiceFactory(name="Printer paper")
    url = reverse("tickets:agent_detail", args=[ticket.pk])

    page = agent_client.get(url).content.decode()
    panel = agent_client.get(url, {"panel": "redirect"}, headers={"HX-Request": "true"}).content.decode()
    without_js = agent_client.get(url, {"panel": "escalate"}).content.decode()

    assert "Printer paper" not in page
    assert "?panel=redirect" in page
    assert panel.lstrip().startswith("<form")
    assert "Printer paper" in panel
    assert "Why does a manager need to step in?" in without_js
