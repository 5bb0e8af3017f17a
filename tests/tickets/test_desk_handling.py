"""Who handled a ticket, a reopen reaching the desk, search in every status, the reply that also
moves the ticket, and a refused action shown where the agent is looking (issue 13, items 3–7)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerCategory, CustomerProfile
from notifications.models import Notification, OutboundEmail
from tickets.models import Ticket, TicketEvent
from tickets.services import (
    ticket_assign,
    ticket_create,
    ticket_fulfil_anyway,
    ticket_redirect,
    ticket_reopen,
    ticket_reply,
    ticket_status_change,
    ticket_teach_process,
)

from ..accounts.factories import AgentFactory, ManagerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import OutOfScopeServiceFactory, ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("tickets:queue")


def _detail(ticket: Ticket) -> str:
    return reverse("tickets:agent_detail", args=[ticket.pk])


def _new_ticket(customer, title: str = "Laptop will not start") -> Ticket:
    return ticket_create(
        customer=customer,
        title=title,
        description="It beeps.",
        service=ServiceFactory(),
        urgency="low",
        impact="low",
    )


# --- 5. Who handled it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        lambda ticket, agent: ticket_reply(ticket=ticket, author=agent, body="On it."),
        lambda ticket, agent: ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED),
        lambda ticket, agent: ticket_redirect(
            ticket=ticket, by=agent, to_service=OutOfScopeServiceFactory(), root_cause="did_not_know"
        ),
        lambda ticket, agent: ticket_teach_process(
            ticket=ticket, by=agent, to_service=OutOfScopeServiceFactory()
        ),
        lambda ticket, agent: ticket_fulfil_anyway(ticket=ticket, by=agent, note="Done."),
    ],
    ids=["reply", "resolve", "redirect", "teach", "fulfil"],
)
def test_an_agent_who_acts_on_an_unassigned_ticket_becomes_its_assignee(customer, agent, act):
    ticket = _new_ticket(customer)

    act(ticket, agent)

    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assigned = ticket.events.get(kind=TicketEvent.Kind.ASSIGNED)
    assert (assigned.actor, assigned.old_value, assigned.new_value) == (agent, "", str(agent))


def test_acting_on_someone_elses_ticket_leaves_it_theirs(customer, agent):
    ticket = _new_ticket(customer)
    owner = AgentFactory()
    ticket_assign(ticket=ticket, by=owner, assignee=owner)

    ticket_reply(ticket=ticket, author=agent, body="Covering for them.")
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)

    ticket.refresh_from_db()
    assert ticket.assignee == owner
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1


def test_internal_notes_and_customer_replies_assign_nobody(customer, agent):
    ticket = _new_ticket(customer)

    ticket_reply(ticket=ticket, author=agent, body="Looks like the battery.", internal=True)
    ticket_reply(ticket=ticket, author=customer, body="Any news?")

    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_no_take_it_on_a_resolved_or_closed_ticket(agent_client, agent, customer):
    ticket = TicketFactory(status=Ticket.Status.OPEN)
    assert "Take it" in agent_client.get(_detail(ticket)).content.decode()

    for status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        Ticket.objects.filter(pk=ticket.pk).update(
            status=status, resolved_at=timezone.now(), closed_at=timezone.now()
        )
        page = agent_client.get(_detail(ticket)).content.decode()
        assert "Take it" not in page
        assert "Nobody yet" not in page

    response = agent_client.post(reverse("tickets:agent_claim", args=[ticket.pk]))
    assert response.status_code == 400
    assert "nothing left to take" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


# --- 6. A reopen reaches the assignee ---------------------------------------------------------


def _resolved(customer, agent=None) -> Ticket:
    ticket = _new_ticket(customer, "VPN drops")
    ticket_status_change(ticket=ticket, by=agent or AgentFactory(), status=Ticket.Status.RESOLVED)
    return ticket


def test_a_reopen_tells_the_assignee_by_mail_and_bell(customer, agent):
    ticket = _resolved(customer, agent)
    other = AgentFactory()

    ticket_reopen(ticket=ticket, by=customer, reason="It dropped again this morning.")

    notice = Notification.objects.get(recipient=agent, key__startswith="ticket-reopened:")
    assert notice.url == _detail(ticket)
    assert "reopened" in notice.text
    mail = OutboundEmail.objects.get(to_address=agent.email, idempotency_key=notice.key)
    assert "It dropped again this morning." in mail.body_text
    assert "It dropped again this morning." in mail.body_html
    assert not Notification.objects.filter(recipient=other, key__startswith="ticket-reopened:").exists()


def test_a_reopen_of_a_ticket_nobody_has_tells_every_agent(customer):
    ticket = _new_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.RESOLVED, resolved_at=timezone.now())
    agents = [AgentFactory(), AgentFactory(), ManagerFactory()]

    ticket_reopen(ticket=ticket, by=customer, reason="Still broken.")

    told = set(
        Notification.objects.filter(key__startswith="ticket-reopened:").values_list("recipient", flat=True)
    )
    assert told == {person.pk for person in agents}


def test_each_reopen_is_its_own_notice(customer, agent):
    ticket = _resolved(customer, agent)
    ticket_reopen(ticket=ticket, by=customer, reason="Again.")
    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)

    ticket_reopen(ticket=ticket, by=customer, reason="And again.")

    assert Notification.objects.filter(recipient=agent, key__startswith="ticket-reopened:").count() == 2


def test_the_queue_marks_a_reopened_ticket_until_it_is_resolved_again(agent_client, customer, agent):
    ticket = _resolved(customer, agent)
    ticket_reopen(ticket=ticket, by=customer, reason="Again.")

    assert "Reopened by the customer" in agent_client.get(QUEUE).content.decode()

    ticket_status_change(ticket=ticket, by=agent, status=Ticket.Status.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.reopened_at is None


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS[:40])
def test_a_hostile_reopen_reason_is_inert_in_the_mail(customer, agent, hostile):
    typed = hostile.replace("\0", "").strip() or "x"
    ticket = _resolved(customer, agent)

    ticket_reopen(ticket=ticket, by=customer, reason=typed)

    html = OutboundEmail.objects.get(
        to_address=agent.email, idempotency_key__startswith="ticket-reopened:"
    ).body_html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html
    assert '<a href="javascript:' not in html.lower()  # typed HTML shows as text, never as a link


# --- 7. Search --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Ticket.Status.OPEN, Ticket.Status.RESOLVED, Ticket.Status.CLOSED])
def test_a_reference_jumps_to_its_ticket_in_any_status(agent_client, status):
    now = timezone.now()
    ticket = TicketFactory(status=status, resolved_at=now, closed_at=now)

    for typed in (ticket.reference, ticket.reference.lower(), str(ticket.pk), f"  {ticket.reference} "):
        response = agent_client.get(QUEUE, {"q": typed})
        assert response.status_code == 302
        assert response.url == _detail(ticket)

    htmx = agent_client.get(QUEUE, {"q": ticket.reference}, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == _detail(ticket)


def test_an_unknown_reference_finds_nothing(agent_client):
    TicketFactory()

    response = agent_client.get(QUEUE, {"q": "SD-999999"})

    assert response.status_code == 200
    assert list(response.context["tickets"]) == []


def test_text_search_covers_every_status_one_click_away(agent_client, customer):
    open_one = _new_ticket(customer, "Printer jams on floor 2")
    done = _new_ticket(customer, "Printer jams on floor 3")
    ticket_status_change(ticket=done, by=AgentFactory(), status=Ticket.Status.RESOLVED)

    default = agent_client.get(QUEUE, {"q": "printer"})
    assert {t.title for t in default.context["tickets"]} == {open_one.title}
    page = default.content.decode()
    assert "Searched open tickets only." in page
    assert 'href="?q=printer&amp;status=all"' in page

    everything = agent_client.get(QUEUE, {"q": "printer", "status": "all"})
    assert {t.title for t in everything.context["tickets"]} == {open_one.title, done.title}
    page = everything.content.decode()
    assert "Searched open tickets only." not in page
    # The search box keeps "all" for the next search.
    assert '<input type="hidden" name="status" value="all">' in page


def test_all_statuses_without_a_search_lists_everything(agent_client):
    now = timezone.now()
    TicketFactory(title="open", status=Ticket.Status.OPEN)
    TicketFactory(title="closed", status=Ticket.Status.CLOSED, resolved_at=now, closed_at=now)

    response = agent_client.get(QUEUE, {"status": "all"})

    assert {t.title for t in response.context["tickets"]} == {"open", "closed"}


def test_searching_every_status_runs_a_constant_number_of_queries(
    agent_client, customer, django_assert_max_num_queries
):
    now = timezone.now()
    TicketFactory.create_batch(
        30, title="Printer jams", status=Ticket.Status.CLOSED, resolved_at=now, closed_at=now
    )

    with django_assert_max_num_queries(12):
        response = agent_client.get(QUEUE, {"q": "printer", "status": "all"})

    assert response.status_code == 200


# --- 4. A neutral status choice; send and resolve, send and set pending -------------------------


def test_the_status_menu_starts_at_a_neutral_choice(agent_client):
    for status in (Ticket.Status.OPEN, Ticket.Status.RESOLVED):
        ticket = TicketFactory(status=status, resolved_at=timezone.now())
        page = agent_client.get(_detail(ticket)).content.decode()
        menu = page[page.index('name="status"') : page.index("</select>", page.index('name="status"'))]
        assert re.findall(r'value="([^"]*)" selected', menu) == [""]  # the neutral choice only
        assert "— choose —" in menu


def test_moving_without_choosing_is_refused_at_the_field(agent_client):
    ticket = TicketFactory(status=Ticket.Status.OPEN)

    response = agent_client.post(reverse("tickets:agent_status", args=[ticket.pk]), {"status": ""})

    assert response.status_code == 400
    assert "Choose where the ticket goes next." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


@pytest.mark.parametrize("then", [Ticket.Status.RESOLVED, Ticket.Status.PENDING])
def test_send_and_move_is_one_step(agent_client, agent, customer, then):
    ticket = _new_ticket(customer)

    response = agent_client.post(
        reverse("tickets:agent_reply", args=[ticket.pk]), {"body": "Fixed it.", "then": then}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == then
    assert ticket.assignee == agent
    assert ticket.messages.get().body == "Fixed it."
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[-1] == TicketEvent.Kind.STATUS_CHANGED


def test_send_and_resolve_refused_sends_nothing_and_keeps_the_text(agent_client, customer):
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.REPEAT_OFFENDER)
    ticket = _new_ticket(customer)

    response = agent_client.post(
        reverse("tickets:agent_reply", args=[ticket.pk]),
        {"body": "Here is the form again.", "then": "resolved"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "record the root cause before resolving" in page
    assert "Here is the form again.</textarea>" in page
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert not ticket.messages.exists()
    assert not OutboundEmail.objects.filter(template="tickets/replied").exists()


def test_the_reply_buttons_follow_the_status(agent_client):
    open_page = agent_client.get(_detail(TicketFactory(status=Ticket.Status.OPEN))).content.decode()
    pending = TicketFactory(status=Ticket.Status.PENDING, sla_paused_at=timezone.now())
    pending_page = agent_client.get(_detail(pending)).content.decode()

    assert "Send and resolve" in open_page and "Send and set pending" in open_page
    assert "Send and resolve" in pending_page and "Send and set pending" not in pending_page


# --- 3. A refused action is shown where the agent is looking -----------------------------------


def test_a_refused_panel_action_comes_back_as_that_form_alone_to_htmx(agent_client, customer):
    ticket = _new_ticket(customer)
    OutOfScopeServiceFactory(name="Printer paper")

    response = agent_client.post(
        reverse("tickets:agent_redirect", args=[ticket.pk]),
        {"root_cause": "did_not_know", "note": "Typed with care."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert page.lstrip().startswith("<form")
    assert 'id="redirect-form"' in page and "data-failed" in page
    assert "Typed with care." in page
    assert 'id="error_1_redirect-to_service"' in page
    assert "<html" not in page


@pytest.mark.parametrize(
    ("action", "data", "form_id"),
    [
        ("agent_status", {"status": ""}, "status-form"),
        ("agent_root_cause", {"root_cause": ""}, "root-cause-form"),
        ("agent_priority", {"priority": "p9"}, "priority-form"),
        ("agent_escalate", {"reason": ""}, "escalate-form"),
        ("agent_teach", {"note": "x"}, "teach-form"),
        ("agent_process_escalate", {"suggested_fix": "x"}, "process-form"),
        ("agent_fulfil", {"note": ""}, "fulfil-form"),
    ],
)
def test_every_ticket_form_comes_back_alone_with_its_errors(agent_client, action, data, form_id):
    ticket = TicketFactory(status=Ticket.Status.OPEN)

    response = agent_client.post(
        reverse(f"tickets:{action}", args=[ticket.pk]), data, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert page.lstrip().startswith("<form")
    assert f'id="{form_id}"' in page and "data-failed" in page


def test_without_javascript_the_errors_are_summarised_at_the_top_linking_to_the_field(agent_client, customer):
    ticket = _new_ticket(customer)

    response = agent_client.post(
        reverse("tickets:agent_redirect", args=[ticket.pk]), {"root_cause": "did_not_know", "note": "Kept."}
    )

    assert response.status_code == 400
    page = response.content.decode()
    summary = page.index('id="error-summary"')
    assert summary < page.index("Conversation")
    assert 'href="#redirect-to_service"' in page[summary:]
    assert 'id="redirect-to_service"' in page
    assert "Kept.</textarea>" in page
    assert f'data-ticket-url="{_detail(ticket)}"' in page


def test_a_refusal_from_the_rules_links_to_its_form(agent_client, customer):
    CustomerProfile.objects.create(user=customer, category=CustomerCategory.REPEAT_OFFENDER)
    ticket = _new_ticket(customer)

    response = agent_client.post(reverse("tickets:agent_status", args=[ticket.pk]), {"status": "resolved"})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#status-form"' in page
    assert "record the root cause before resolving" in page


def test_success_through_htmx_reloads_the_ticket(agent_client):
    ticket = TicketFactory(status=Ticket.Status.OPEN)

    response = agent_client.post(
        reverse("tickets:agent_priority", args=[ticket.pk]),
        {"priority": "p1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == _detail(ticket)


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS[:40])
def test_hostile_text_in_a_refused_form_comes_back_inert(agent_client, hostile):
    ticket = TicketFactory(status=Ticket.Status.OPEN)
    typed = hostile.replace("\0", "")

    for headers in ({}, {"HX-Request": "true"}):
        response = agent_client.post(
            reverse("tickets:agent_redirect", args=[ticket.pk]), {"note": typed}, headers=headers
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
        assert "<svg onload" not in page


def test_a_refused_reply_is_the_whole_page_even_to_htmx(agent_client):
    ticket = TicketFactory(status=Ticket.Status.OPEN)

    response = agent_client.post(
        reverse("tickets:agent_reply", args=[ticket.pk]), {"body": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
