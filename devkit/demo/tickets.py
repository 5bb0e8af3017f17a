"""The demo company's week at the desk: tickets in every state, told through the services so every
event is real. Each function below is one strand of the story, called in the order it happened."""

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from customers.models import RepeatOffenderSuggestion
from customers.services import arrangement_create, repeat_offender_suggestion_decide
from knowledge.models import Article
from knowledge.services import article_link_url
from tickets import services
from tickets.models import Service, Ticket


def tickets_demo_seed(users: dict[str, User]) -> None:
    """The first time only: a week of a living service desk."""
    if Ticket.objects.exists():
        return
    week = _Week(users)
    _new_requests(week)
    _vpn_in_progress(week)
    _laptop_waiting_for_the_customer(week)
    _password_resolved(week)
    _software_closed(week)
    third_paper_request = _ben_asks_for_paper_again(week)
    _processes_taught_and_escalated(week)
    _vip_paper_fulfilled_and_arranged(week)
    _repeat_offender_confirmed(week, third_paper_request)


def _article_link(title: str) -> str:
    """A line linking the knowledge base's public article of that title (none if it is not there)."""
    article = Article.objects.filter(title=title, audience=Article.Audience.EVERYONE).first()
    if article is None:
        return ""
    return f"\n\nThe steps, for next time: [{article.title}]({article_link_url(article=article, for_customer=True)})"


class _Week:
    """Who is who, and one clock: everything happens some hours before now."""

    def __init__(self, users: dict[str, User]) -> None:
        self.users = users
        self.sam, self.priya, self.maria = users["sam"], users["priya"], users["maria"]
        self.now = timezone.now()

    def ago(self, hours: float) -> datetime:
        return self.now - timedelta(hours=hours)

    def submit(
        self,
        who: str,
        slug: str,
        title: str,
        description: str,
        urgency: str,
        impact: str,
        hours: float,
        *,
        channel: str = Ticket.Channel.PORTAL,
        by: User | None = None,
    ) -> Ticket:
        """A request as it came in: through the portal, by e-mail, or logged by `by` (a call or visit)."""
        return services.ticket_create(
            customer=self.users[who],
            channel=channel,
            by=by,
            service=Service.objects.get(slug=slug),
            title=title,
            description=description,
            urgency=urgency,
            impact=impact,
            now=self.ago(hours),
        )


def _new_requests(week: _Week) -> None:
    calendar = week.submit(
        "alice",
        "email",
        "Shared Finance calendar not showing",
        "Since this morning the *Finance close* calendar has disappeared from my Outlook.",
        "medium",
        "medium",
        1,
    )
    # Chen runs the Finance close too: Alice copies him, so he hears IT's answer (Copied to me).
    alice = week.users["alice"]
    services.ticket_cc_add(ticket=calendar, user=week.users["chen"], by=alice, now=week.ago(0.9))
    week.submit(
        "dana",
        "printer-faults",
        "Warehouse label printer prints blank labels",
        "The Zebra printer by dock 3 feeds labels but nothing is printed on them. We ship at 4pm.",
        "high",
        "medium",
        3,
    )


def _vpn_in_progress(week: _Week) -> None:
    priya = week.priya
    vpn = week.submit(
        "chen",
        "vpn",
        "VPN disconnects every few minutes",
        "Working from the Zurich office today; the VPN drops every 5–10 minutes. Board pack due tonight.",
        "high",
        "low",
        5,
        channel=Ticket.Channel.EMAIL,
    )
    services.ticket_claim(ticket=vpn, agent=priya, now=week.ago(4.9))
    services.ticket_reply(
        ticket=vpn,
        author=priya,
        body="I am on it. Could you tell me which Wi-Fi network you are on?",
        now=week.ago(4.8),
    )
    services.ticket_reply(
        ticket=vpn, author=week.users["chen"], body="Guest Wi-Fi of the Zurich office.", now=week.ago(4.5)
    )
    services.ticket_reply(
        ticket=vpn,
        author=priya,
        body="The guest network blocks the VPN's UDP port; I have "
        "switched your profile to TCP. Please reconnect." + _article_link("Connect to the VPN from home"),
        now=week.ago(4.2),
    )


def _laptop_waiting_for_the_customer(week: _Week) -> None:
    sam = week.sam
    laptop = week.submit(
        "alice",
        "laptops",
        "Laptop fan very loud",
        "The fan runs at full speed all day, even with only Excel open.",
        "low",
        "low",
        30,
    )
    services.ticket_claim(ticket=laptop, agent=sam, now=week.ago(29))
    services.ticket_reply(
        ticket=laptop,
        author=sam,
        body="Can you bring it to the IT bar on floor 2 at a time that suits you? It takes 30 minutes.",
        now=week.ago(28),
    )
    services.ticket_status_change(ticket=laptop, by=sam, status=Ticket.Status.PENDING, now=week.ago(28))
    services.ticket_reply(
        ticket=laptop,
        author=sam,
        body="Internal: likely dust; spare fan in cupboard B.",
        internal=True,
        now=week.ago(27.5),
    )


def _password_resolved(week: _Week) -> None:
    sam = week.sam
    password = week.submit(  # locked out, Ben rang the desk
        "ben",
        "accounts",
        "Locked out of CRM again",
        "Please unlock my CRM account.",
        "high",
        "low",
        50,
        channel=Ticket.Channel.PHONE,
        by=sam,
    )
    services.ticket_claim(ticket=password, agent=sam, now=week.ago(49.8))
    services.ticket_reply(
        ticket=password,
        author=sam,
        body="Unlocked. The self-service reset at https://id.northwind.example works any time too.",
        now=week.ago(49.5),
    )
    services.ticket_status_change(ticket=password, by=sam, status=Ticket.Status.RESOLVED, now=week.ago(49.4))


def _software_closed(week: _Week) -> None:
    priya = week.priya
    software = week.submit(
        "dana", "software", "Need Visio for process maps", "For the new picking process.", "low", "low", 120
    )
    services.ticket_assign(ticket=software, by=week.maria, assignee=priya, now=week.ago(119))
    services.ticket_reply(
        ticket=software,
        author=priya,
        body="Installed: you will find Visio in the Start menu after a restart.",
        now=week.ago(100),
    )
    services.ticket_status_change(ticket=software, by=priya, status=Ticket.Status.RESOLVED, now=week.ago(99))
    services.ticket_status_change(ticket=software, by=priya, status=Ticket.Status.CLOSED, now=week.ago(2))


def _ben_asks_for_paper_again(week: _Week) -> Ticket:
    """Left new for now: Sam deals with it once Ben's two earlier requests are told."""
    return week.submit(
        "ben",
        "something-else",
        "Printer on floor 3 is out of paper",
        "No paper again, can IT bring some?",
        "medium",
        "medium",
        70,
    )


def _processes_taught_and_escalated(week: _Week) -> None:
    # Alice did not know how to get a desk move: Sam teaches her the Facilities process (and rang
    # Grace for her). Dana could not get a badge: the badge process is broken, and Sam escalates it.
    sam = week.sam
    move = week.submit(
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
        note="Happy to help you get this done quickly.", now=week.ago(25),
    )  # fmt: skip
    badge = week.submit(
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
        now=week.ago(19),
    )
    services.process_escalate(
        ticket=badge, by=sam, process=badges,
        suggested_fix="Let the security desk re-enable badges on the spot instead of sending people to IT, "
        "and publish the badge form on the intranet.",
        now=week.ago(19),
    )  # fmt: skip
    badges.process_owner = "Head of Security"  # catalog data, as the admin would set it
    badges.save(update_fields=["process_owner"])
    services.process_health_set(process=badges, by=week.maria, health="broken")


def _vip_paper_fulfilled_and_arranged(week: _Week) -> None:
    # Chen (VIP) runs out of paper before the board meeting: Priya just does it, then arranges with
    # Facilities that floor 9 is restocked every two weeks, so he never has to ask again.
    priya = week.priya
    chen_paper = week.submit(
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
        now=week.ago(24 * 10 - 0.5),
    )
    arrangement_create(
        customer=week.users["chen"],
        by=priya,
        need="Printer paper restocked on floor 9 (executive office)",
        service=Service.objects.get(slug="printer-paper"),
        owning_department="Facilities",
        contact_name="Grace Mensah",
        contact_email="facilities@northwind.example",
        cadence_days=14,
        first_due_on=timezone.localdate() + timedelta(days=4),
        now=week.ago(24 * 10 - 1),
    )


def _repeat_offender_confirmed(week: _Week, third_paper_request: Ticket) -> None:
    # Ben keeps asking IT for paper instead of ordering it: the third time, the system suggests
    # "repeat offender" to the managers, and Maria confirms it.
    sam = week.sam
    for days_ago in (40, 20):
        earlier = week.submit(
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
            now=week.ago(24 * days_ago - 1),
        )
    services.ticket_claim(ticket=third_paper_request, agent=sam, now=week.ago(69))
    services.ticket_redirect(
        ticket=third_paper_request,
        by=sam,
        to_service=Service.objects.get(slug="printer-paper"),
        root_cause=Ticket.RootCause.BYPASSED_PROCESS,
        now=week.ago(68),
    )
    repeat_offender_suggestion_decide(
        suggestion=RepeatOffenderSuggestion.objects.get(profile__user=week.users["ben"], status="pending"),
        by=week.maria,
        confirm=True,
        reason="Three paper requests in six weeks, each time after being shown the Facilities form. "
        "The form works for his colleagues; I will talk to his manager.",
        now=week.ago(60),
    )
