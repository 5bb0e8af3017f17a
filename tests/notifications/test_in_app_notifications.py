"""The bell: each person's own notices, an unread count, read once opened or all marked read."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notifications.models import Notification, OutboundEmail
from notifications.services import notify, notify_managers

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _notify(recipient, key="k1"):
    ticket = TicketFactory(customer=recipient)
    notify(
        recipient=recipient,
        key=key,
        template="tickets/resolved",
        context={"ticket": ticket, "reopen_days": 14},
        url=ticket.get_absolute_url(),
    )
    return ticket


def test_a_notice_is_an_email_and_a_bell_entry_under_one_key(customer):
    ticket = _notify(customer)
    _notify(customer)  # the same occasion again changes nothing (a new ticket, same key)

    notice = Notification.objects.get(recipient=customer)
    assert notice.text == f"[{ticket.reference}] Resolved: {ticket.title}"
    assert notice.url == ticket.get_absolute_url() and notice.read_at is None
    assert OutboundEmail.objects.filter(idempotency_key="k1").count() == 1


def test_the_badge_counts_unread_and_opening_one_marks_it_read(customer_client, customer):
    ticket = _notify(customer, "a")
    _notify(customer, "b")
    _notify(CustomerFactory(), "someone-elses")

    assert "2" in customer_client.get(reverse("notifications:badge")).content.decode()
    page = customer_client.get(reverse("notifications:list")).content.decode()
    assert page.count("Resolved:") == 2 and page.count(">New<") == 2
    assert (
        Notification.objects.filter(recipient=customer, read_at__isnull=True).count() == 2
    )  # seen, not read

    notice = Notification.objects.get(key="a")
    answer = customer_client.get(reverse("notifications:open", kwargs={"pk": notice.pk}))

    assert answer.status_code == 302 and answer["Location"] == ticket.get_absolute_url()
    assert "1" in customer_client.get(reverse("notifications:badge")).content.decode()


def test_mark_all_read_clears_the_bell(customer_client, customer):
    for key in ("a", "b", "c"):
        _notify(customer, key)
    _notify(CustomerFactory(), "someone-elses")
    assert "Mark all read" in customer_client.get(reverse("notifications:list")).content.decode()

    answer = customer_client.post(reverse("notifications:read_all"), follow=True)

    assert answer.status_code == 200 and "Marked 3 notices read." in answer.content.decode()
    assert "Mark all read" not in answer.content.decode()
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    assert Notification.objects.filter(key="someone-elses", read_at__isnull=True).exists()
    assert customer_client.get(reverse("notifications:read_all")).status_code == 405


def test_someone_elses_notice_cannot_be_opened(customer_client):
    _notify(CustomerFactory(), "theirs")
    notice = Notification.objects.get(key="theirs")

    assert customer_client.get(reverse("notifications:open", kwargs={"pk": notice.pk})).status_code == 404
    assert Notification.objects.get(key="theirs").read_at is None


def test_a_notice_leading_off_the_site_goes_back_to_the_list(customer_client, customer):
    notice = Notification.objects.create(
        recipient=customer, key="odd", text="Odd", url="//evil.example/", created_at=timezone.now()
    )

    answer = customer_client.get(reverse("notifications:open", kwargs={"pk": notice.pk}))

    assert answer["Location"] == reverse("notifications:list")


@pytest.mark.parametrize(
    ("factory", "words"),
    [
        (CustomerFactory, "updates on your requests"),
        (AgentFactory, "a ticket is assigned to you"),
        (ManagerFactory, "a customer needs a recovery call"),
    ],
)
def test_the_empty_list_speaks_to_the_role(client, factory, words):
    client.force_login(factory())

    assert words in client.get(reverse("notifications:list")).content.decode()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_ticket_titles_reach_the_list_as_text(customer_client, customer, hostile):
    ticket = TicketFactory(customer=customer, title=hostile.replace("\0", "")[:200] or "x")
    notify(
        recipient=customer,
        key="h",
        template="tickets/resolved",
        context={"ticket": ticket, "reopen_days": 14},
        url=ticket.get_absolute_url(),
    )
    notice = Notification.objects.get(key="h")

    answer = customer_client.get(reverse("notifications:list"))

    assert answer.status_code == 200
    assert escape(notice.text) in answer.content.decode()
    assert "<script>alert(1)</script>" not in answer.content.decode()


def test_every_page_has_a_bell_that_works_without_javascript(customer_client):
    page = customer_client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("notifications:list")}"' in page
    assert f'hx-get="{reverse("notifications:badge")}"' in page


def test_the_bell_is_for_signed_in_people(client):
    assert client.get(reverse("notifications:list")).status_code == 302
    assert client.get(reverse("notifications:badge")).status_code == 302


def test_no_notice_for_someone_who_has_left(customer):
    customer.is_active = False
    customer.save()
    _notify(customer)
    assert not Notification.objects.exists() and not OutboundEmail.objects.exists()


def test_the_list_runs_a_constant_number_of_queries(customer_client, customer, django_assert_max_num_queries):
    for n in range(30):
        _notify(customer, f"k{n}")
    with django_assert_max_num_queries(8):
        response = customer_client.get(reverse("notifications:list"))

    assert response.status_code == 200
    assert len(response.context["notices"]) == 30


def test_every_active_manager_is_told_once_and_nobody_else():
    managers = ManagerFactory.create_batch(2)
    ManagerFactory(is_active=False)
    AgentFactory()
    ticket = TicketFactory()

    for _ in range(2):  # the same occasion again changes nothing
        told = notify_managers(
            key=f"escalated:{ticket.pk}",
            template="tickets/resolved",
            context={"ticket": ticket, "reopen_days": 14},
            url=ticket.get_absolute_url(),
        )

    assert told == 2
    keys = set(Notification.objects.values_list("recipient_id", "key"))
    assert keys == {(m.pk, f"escalated:{ticket.pk}:{m.pk}") for m in managers}
    addresses = OutboundEmail.objects.values_list("to_address", flat=True)
    assert sorted(addresses) == sorted(m.email for m in managers)
