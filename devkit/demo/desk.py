"""The demo company's service desk: teams, calendar, SLAs, a catalog, canned replies, customers."""

from datetime import date, time

from accounts.models import User
from customers.models import CustomerCategory, CustomerProfile
from customers.services import customer_profile_update
from tickets.models import (
    BusinessCalendar,
    CannedResponse,
    Holiday,
    Priority,
    Service,
    SlaPolicy,
    Team,
    WorkingHours,
)

TEAMS = ["Service Desk", "Desktop Support", "Network & Access"]

# (priority, category, first response, resolution), in business minutes.
SLA_POLICIES = [
    (Priority.CRITICAL, "", 30, 4 * 60),
    (Priority.HIGH, "", 60, 10 * 60),
    (Priority.MEDIUM, "", 4 * 60, 3 * 10 * 60),
    (Priority.LOW, "", 10 * 60, 5 * 10 * 60),
    (Priority.CRITICAL, CustomerCategory.VIP, 15, 2 * 60),
    (Priority.HIGH, CustomerCategory.VIP, 30, 5 * 60),
    (Priority.MEDIUM, CustomerCategory.VIP, 60, 10 * 60),
    (Priority.LOW, CustomerCategory.VIP, 2 * 60, 2 * 10 * 60),
]

IT_SERVICES = [
    (
        "Laptops and desktops",
        "laptops",
        "Desktop Support",
        "Repairs, replacements and set-up of your computer.",
    ),
    ("E-mail and calendar", "email", "Service Desk", "Mailboxes, shared calendars, distribution lists."),
    ("VPN and remote access", "vpn", "Network & Access", "Working from home or on the road."),
    (
        "Accounts and passwords",
        "accounts",
        "Network & Access",
        "Locked out, new starters, access to systems.",
    ),
    ("Software installation", "software", "Desktop Support", "Licensed software from the approved list."),
    (
        "Printer faults",
        "printer-faults",
        "Desktop Support",
        "A printer that jams, streaks or will not print.",
    ),
    ("Phones and mobile devices", "phones", "Service Desk", "Desk phones, company mobiles, mobile e-mail."),
    (
        "Something else",
        "something-else",
        "Service Desk",
        "Not sure where it fits? Tell us and we will route it.",
    ),
]

OUT_OF_SCOPE = [
    {
        "name": "Printer paper and toner",
        "slug": "printer-paper",
        "summary": "Paper, toner and staples for the office printers.",
        "owning_department": "Facilities",
        "process_steps": "1. Open the Facilities supplies form.\n2. Choose your floor and the printer's "
        "number (on the label on its front).\n3. Deliveries arrive the next working morning.",
        "form_url": "https://intranet.northwind.example/facilities/supplies",
        "contact_name": "Grace Mensah, Facilities Coordinator",
        "contact_phone": "+44 20 7946 0321",
        "contact_email": "facilities@northwind.example",
    },
    {
        "name": "Desks, chairs and office moves",
        "slug": "office-moves",
        "summary": "Furniture, desk moves and ergonomic assessments.",
        "owning_department": "Facilities",
        "process_steps": "Book a move at least five working days ahead with the moves form.",
        "form_url": "https://intranet.northwind.example/facilities/moves",
        "contact_name": "Grace Mensah, Facilities Coordinator",
        "contact_phone": "+44 20 7946 0321",
    },
    {
        "name": "Building access badges",
        "slug": "badges",
        "summary": "New or lost badges, and access to secure floors.",
        "owning_department": "Security",
        "process_steps": "Visit the security desk in reception with photo ID. Lost badges are "
        "blocked at once: call the number below.",
        "contact_name": "Security desk",
        "contact_phone": "+44 20 7946 0999",
    },
    {
        "name": "Pay and expenses",
        "slug": "payroll",
        "summary": "Payslips, expense claims and pay questions.",
        "owning_department": "Payroll (HR)",
        "process_steps": "Raise it in the HR portal under *Pay and benefits*.",
        "form_url": "https://hr.northwind.example/pay",
        "contact_name": "Payroll team",
        "contact_phone": "+44 20 7946 0456",
    },
]

CANNED_RESPONSES = [
    (
        "Restart first",
        "Could you restart the computer and tell me whether the problem is still there? "
        "A restart clears most stuck updates and connections.",
    ),
    (
        "Self-service password reset",
        "You can reset your password yourself at any time at "
        "https://id.northwind.example, with the code sent to your phone.",
    ),
    (
        "We are on it",
        "Thank you for letting us know. I am looking into it now and will update you "
        "within the hour, even if there is no news yet.",
    ),
]

# Who is who in the demo (by username): department, location, phone, senior executive, IT's notes.
# Chen becomes a VIP by the senior-executive rule; Ben becomes a repeat offender when Maria
# confirms the system's suggestion after his third bypass (see tickets.py).
CUSTOMER_PROFILES = {
    "alice": ("Finance", "London, floor 4", "+44 20 7946 0110", False, ""),
    "ben": ("Sales", "Leeds", "+44 7700 900123", False, "Often on the road; prefers a call."),
    "chen": (
        "Executive office",
        "London, floor 9",
        "+44 20 7946 0001",
        True,
        "Assistant: Jo Park, ext 9001.",
    ),
    "dana": (
        "Warehouse",
        "Leeds warehouse",
        "+44 20 7946 0777",
        False,
        "Ships at 4pm: label printers are urgent.",
    ),
}


def desk_demo_seed(users: dict[str, User]) -> None:
    """Set up what of the desk does not exist yet: catalog, calendar, SLAs, canned replies, customers."""
    catalog_seed()
    _calendar_seed()
    for priority, category, first_response, resolution in SLA_POLICIES:
        SlaPolicy.objects.get_or_create(
            priority=priority,
            customer_category=category,
            defaults={"first_response_minutes": first_response, "resolution_minutes": resolution},
        )
    for title, body in CANNED_RESPONSES:
        CannedResponse.objects.get_or_create(title=title, defaults={"body": body})
    for username, (department, location, phone, senior, notes) in CUSTOMER_PROFILES.items():
        if not CustomerProfile.objects.filter(user=users[username]).exists():
            customer_profile_update(
                user=users[username],
                by=users["maria"],
                department=department,
                location=location,
                phone=phone,
                manager=None,
                is_senior_executive=senior,
                notes=notes,
            )


def catalog_seed() -> dict[str, Team]:
    """The teams and the service catalog (the demo's and the benchmark's); returns the teams by name."""
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    for name, slug, team, summary in IT_SERVICES:
        Service.objects.get_or_create(
            slug=slug, defaults={"name": name, "summary": summary, "default_team": teams[team]}
        )
    for entry in OUT_OF_SCOPE:
        Service.objects.get_or_create(slug=entry["slug"], defaults={**entry, "provided_by_it": False})
    return teams


def _calendar_seed() -> None:
    calendar, created = BusinessCalendar.objects.get_or_create(
        name="Northwind head office", defaults={"time_zone": "Europe/London", "is_default": True}
    )
    if not created:
        return
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=weekday, opens=time(8), closes=time(18))
        for weekday in range(5)
    )
    holidays = [(date(2026, 12, 25), "Christmas Day"), (date(2026, 12, 28), "Boxing Day (substitute)")]
    holidays += [(date(2027, 1, 1), "New Year's Day")]
    Holiday.objects.bulk_create(Holiday(calendar=calendar, date=day, name=name) for day, name in holidays)
