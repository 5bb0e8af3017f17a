"""Files on tickets: limited by size, number and type; stored apart; served only to who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.models import Attachment, Ticket
from tickets.services import ticket_reply

from ..accounts.factories import CustomerFactory
from ..hostile import HOSTILE_INPUTS
from .factories import ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _file(name: str = "screenshot.png", content: bytes = b"\x89PNG fake", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _submit(client, **extra):
    data = {
        "service": ServiceFactory().pk,
        "title": "Printer error",
        "description": "See the photo",
        "urgency": "low",
        "impact": "low",
        **extra,
    }
    return client.post(reverse("tickets:submit"), data)


def test_files_sent_with_a_request_are_stored_apart_and_listed(customer_client, settings):
    response = _submit(customer_client, attachments=[_file(), _file("log.txt", b"error 42", "text/plain")])

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    names = sorted(ticket.attachments.values_list("original_name", flat=True))
    assert names == ["log.txt", "screenshot.png"]
    stored = ticket.attachments.get(original_name="log.txt")
    assert stored.file.name.startswith(f"attachments/{ticket.pk}/")
    assert "log" not in stored.file.name  # the uploader's name never reaches the disk
    assert stored.content_type == "text/plain"
    page = customer_client.get(ticket.get_absolute_url()).content.decode()
    assert stored.get_absolute_url() in page


def test_owner_and_agents_download_strangers_get_404(customer_client, customer, agent_client, client):
    ticket = TicketFactory(customer=customer)
    ticket_reply(ticket=ticket, author=customer, body="Here", attachments=[_file()])
    url = Attachment.objects.get().get_absolute_url()

    mine = customer_client.get(url)
    assert mine.status_code == 200
    assert mine["Content-Disposition"].startswith('attachment; filename="screenshot.png"')
    assert mine["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(mine.streaming_content) == b"\x89PNG fake"
    assert agent_client.get(url).status_code == 200
    client.force_login(CustomerFactory())
    assert client.get(url).status_code == 404


def test_files_on_internal_notes_never_reach_the_customer(customer_client, customer, agent):
    ticket = TicketFactory(customer=customer)
    ticket_reply(
        ticket=ticket, author=agent, body="Our notes", internal=True, attachments=[_file("notes.txt")]
    )

    assert customer_client.get(Attachment.objects.get().get_absolute_url()).status_code == 404


def test_anonymous_visitors_log_in_first(client):
    ticket = TicketFactory()
    ticket_reply(ticket=ticket, author=ticket.customer, body="x", attachments=[_file()])

    response = client.get(Attachment.objects.get().get_absolute_url())

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: [_file("run.exe", b"MZ", "application/octet-stream")],
            "files of this type cannot be attached",
        ),
        (lambda: [_file("page.html", b"<script>", "text/html")], "files of this type cannot be attached"),
        (lambda: [_file(f"f{n}.txt", b"x", "text/plain") for n in range(6)], "Attach at most 5 files."),
    ],
)
def test_refused_files_are_explained_at_the_field_and_the_rest_is_kept(customer_client, upload, message):
    response = _submit(customer_client, attachments=upload())

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'id="error_1_id_attachments"' in page
    assert 'value="Printer error"' in page
    assert not Ticket.objects.exists()


def test_files_of_a_refused_request_are_named_at_their_field_to_attach_again(customer_client):
    response = _submit(
        customer_client, title="", attachments=[_file(), _file("log <1>.txt", b"42", "text/plain")]
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_attachments"' in page
    assert (
        "Not kept because of the other errors: screenshot.png, log &lt;1&gt;.txt. Attach them again." in page
    )
    assert not Attachment.objects.exists()


def test_files_of_a_refused_reply_are_named_too(customer_client, customer, agent_client):
    ticket = TicketFactory(customer=customer)
    notice = "Not kept because of the other errors: screenshot.png. Attach them again."

    by_customer = customer_client.post(
        reverse("tickets:reply", args=[ticket.pk]), {"body": "", "attachments": [_file()]}
    )
    by_agent = agent_client.post(
        reverse("tickets:agent_reply", args=[ticket.pk]), {"body": "", "attachments": [_file()]}
    )

    assert notice in by_customer.content.decode()
    assert notice in by_agent.content.decode()
    assert not Attachment.objects.exists()


def test_files_over_the_size_limit_are_refused(customer_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = _submit(customer_client, attachments=[_file("big.txt", b"x" * 11, "text/plain")])

    assert "big.txt is larger than 10\xa0bytes." in response.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_file_names_are_refused_or_shown_inert(customer_client, customer, hostile):
    response = _submit(
        customer_client, attachments=[_file(hostile.replace("\0", "") + ".txt", b"x", "text/plain")]
    )

    if response.status_code == 302:
        attachment = Attachment.objects.get()
        assert "/" not in attachment.original_name and "\\" not in attachment.original_name
        assert "\u202e" not in attachment.original_name
        page = customer_client.get(attachment.ticket.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
    else:
        assert response.status_code == 200
