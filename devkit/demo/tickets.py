"""The demo company's week at the desk: tickets in every state, told through the services so every
event is real."""

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from customers.models import RepeatOffenderSuggestion
from customers.services import arrangement_create, repeat_offender_suggestion_decide
from tickets import services
from tickets.models import Service, Ticket


def tickets_demo_seed(users: dict[str, User]) -> None:
    """The first time only: a week of a living service desk."""
    if not Ticket.objects.exists():
        _tickets_seed(users)


def _tickets_seed(users: dict[str, User]) -> None:
    """A week of a living service desk, told through the services so every event is real."""
    now = timezone.now()

    def ago(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    def submit(
        who: str, slug: str, title: str, description: str, urgency: str, impact: str, hours: float
    ) -> Ticket:
        return services.ticket_create(
            customer=users[who],
            service=Service.objects.get(slug=slug),
            title=title,
            description=description,
            urgency=urgency,
            impact=impact,
            now=ago(hours),
        )

    sam, priya, maria = users["sam"], users["priya"], users["maria"]

    submit(
        "alice",
        "email",
        "Shared Finance calendar not showing",
        "Since this morning the *Finance close* calendar has disappeared from my Outlook.",
        "medium",
        "medium",
        1,
    )
    submit(
        "dana",
        "printer-faults",
        "Warehouse label printer prints blank labels",
        "The Zebra printer by dock 3 feeds labels but nothing is printed on them. We ship at 4pm.",
        "high",
        "medium",
        3,
    )

    vpn = submit(
        "chen",
        "vpn",
        "VPN disconnects every few minutes",
        "Working from the Zurich office today; the VPN drops every 5–10 minutes. Board pack due tonight.",
        "high",
        "low",
        5,
    )
    services.ticket_claim(ticket=vpn, agent=priya, now=ago(4.9))
    services.ticket_reply(
        ticket=vpn,
        author=priya,
        body="I am on it. Could you tell me which Wi-Fi network you are on?",
        now=ago(4.8),
    )
    services.ticket_reply(
        ticket=vpn, author=users["chen"], body="Guest Wi-Fi of the Zurich office.", now=ago(4.5)
    )
    services.ticket_reply(
        ticket=vpn,
        author=priya,
        body="The guest network blocks the VPN's UDP port; I have "
        "switched your profile to TCP. Please reconnect.",
        now=ago(4.2),
    )

    laptop = submit(
        "alice",
        "laptops",
        "Laptop fan very loud",
        "The fan runs at full speed all day, even with only Excel open.",
        "low",
        "low",
        30,
    )
    services.ticket_claim(ticket=laptop, agent=sam, now=ago(29))
    services.ticket_reply(
        ticket=laptop,
        author=sam,
        body="Can you bring it to the IT bar on floor 2 at a time that suits you? It takes 30 minutes.",
        now=ago(28),
    )
    services.ticket_status_change(ticket=laptop, by=sam, status=Ticket.Status.PENDING, now=ago(28))
    services.ticket_reply(
        ticket=laptop,
        author=sam,
        body="Internal: likely dust; spare fan in cupboard B.",
        internal=True,
        now=ago(27.5),
    )

    password = submit(
        "ben", "accounts", "Locked out of CRM again", "Please unlock my CRM account.", "high", "low", 50
    )
    services.ticket_claim(ticket=password, agent=sam, now=ago(49.8))
    services.ticket_reply(
        ticket=password,
        author=sam,
        body="Unlocked. The self-service reset at https://id.northwind.example works any time too.",
        now=ago(49.5),
    )
    services.ticket_status_change(ticket=password, by=sam, status=Ticket.Status.RESOLVED, now=ago(49.4))

    software = submit(
        "dana", "software", "Need Visio for process maps", "For the new picking process.", "low", "low", 120
    )
    services.ticket_assign(ticket=software, by=maria, assignee=priya, now=ago(119))
    services.ticket_reply(
        ticket=software,
        author=priya,
        body="Installed: you will find Visio in the Start menu after a restart.",
        now=ago(100),
    )
    services.ticket_status_change(ticket=software, by=priya, status=Ticket.Status.RESOLVED, now=ago(99))
    services.ticket_status_change(ticket=software, by=priya, status=Ticket.Status.CLOSED, now=ago(2))

    paper = submit(
        "ben",
        "something-else",
        "Printer on floor 3 is out of paper",
        "No paper again, can IT bring some?",
        "medium",
        "medium",
        70,
    )
    # Alice did not know how to get a desk move: Sam teaches her the Facilities process (and rang
    # Grace for her). Dana could not get a badge: the badge process is broken, and Sam escalates it.
    move = submit(
        "alice",
        "something-else",
        "Can IT move my desk to floor 2?",
        "I am joining the payables team next week.",
        "low",
        "low",
        26,
    )
    services.ticket_teach_process(
        ticket=move, by=sam, to_service=Service.objects.get(slug="office-moves"), called_contact=True,
        note="Happy to help you get this done quickly.", now=ago(25),
    )  # fmt: skip
    badge = submit(
        "dana",
        "something-else",
        "My badge stopped opening the warehouse door",
        "Security sent me to IT.",
        "medium",
        "low",
        20,
    )
    badges = Service.objects.get(slug="badges")
    services.ticket_reply(
        ticket=badge,
        author=sam,
        body="I have asked Security to re-enable it for today; you should be able to get in now.",
        now=ago(19),
    )
    services.process_escalate(
        ticket=badge, by=sam, process=badges,
        suggested_fix="Let the security desk re-enable badges on the spot instead of sending people to IT, "
        "and publish the badge form on the intranet.",
        now=ago(19),
    )  # fmt: skip
    badges.process_owner = "Head of Security"  # catalog data, as the admin would set it
    badges.save(update_fields=["process_owner"])
    services.process_health_set(process=badges, by=maria, health="broken")

    # Chen (VIP) runs out of paper before the board meeting: Priya just does it, then arranges with
    # Facilities that floor 9 is restocked every two weeks, so he never has to ask again.
    chen_paper = submit(
        "chen",
        "something-else",
        "No paper on floor 9 before the board meeting",
        "The printer by the boardroom is empty.",
        "high",
        "low",
        24 * 10,
    )
    services.ticket_fulfil_anyway(
        ticket=chen_paper,
        by=priya,
        note="Brought two boxes up from the store room; you are all set for the meeting.",
        now=ago(24 * 10 - 0.5),
    )
    arrangement_create(
        customer=users["chen"],
        by=priya,
        need="Printer paper restocked on floor 9 (executive office)",
        service=Service.objects.get(slug="printer-paper"),
        owning_department="Facilities",
        contact_name="Grace Mensah",
        contact_email="facilities@northwind.example",
        cadence_days=14,
        first_due_on=timezone.localdate() + timedelta(days=4),
        now=ago(24 * 10 - 1),
    )

    # Ben keeps asking IT for paper instead of ordering it: the third time, the system suggests
    # "repeat offender" to the managers, and Maria confirms it.
    for days_ago in (40, 20):
        earlier = submit(
            "ben",
            "something-else",
            "Need printer paper",
            "Can IT bring some paper up?",
            "medium",
            "low",
            24 * days_ago,
        )
        services.ticket_redirect(
            ticket=earlier,
            by=sam,
            to_service=Service.objects.get(slug="printer-paper"),
            root_cause=Ticket.RootCause.BYPASSED_PROCESS,
            now=ago(24 * days_ago - 1),
        )
    services.ticket_claim(ticket=paper, agent=sam, now=ago(69))
    services.ticket_redirect(
        ticket=paper,
        by=sam,
        to_service=Service.objects.get(slug="printer-paper"),
        root_cause=Ticket.RootCause.BYPASSED_PROCESS,
        now=ago(68),
    )
    repeat_offender_suggestion_decide(
        suggestion=RepeatOffenderSuggestion.objects.get(profile__user=users["ben"], status="pending"),
        by=maria,
        confirm=True,
        reason="Three paper requests in six weeks, each time after being shown the Facilities form. "
        "The form works for his colleagues; I will talk to his manager.",
        now=ago(60),
    )
