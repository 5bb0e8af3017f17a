"""Files through the API: uploaded with a request or a message under the pages' limits (their
own forms check them), listed per ticket, and downloaded by the pages' selector and response."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tickets.models import Attachment, Ticket, TicketCC
from tickets.services import ticket_reply

from ..accounts.factories import AgentFactory, CustomerFactory
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import ServiceFactory, TicketFactory
from .conftest import ApiClient

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def _file(name: str = "screenshot.png", content: bytes = b"\x89PNG fake", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _submit(service, **extra) -> dict:
    return {
        "service": service.pk,
        "title": "Printer error",
        "description": "See the photo.",
        "urgency": "low",
        "impact": "low",
        **extra,
    }


def _download_url(attachment: Attachment) -> str:
    return f"/api/v1/attachments/{attachment.pk}/"


def _multipart(fields: dict, file_names: list[str]) -> tuple[bytes, str]:
    """A multipart body whose file names travel percent-encoded (RFC 7578's filename*), so any
    name, quotes and line breaks included, reaches the server as typed (the test client's own
    encoding would cut it at a slash or a quote)."""
    boundary = "BoUnDaRy7f3a"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename*=UTF-8''"
        f"{quote(name, safe='')}\r\nContent-Type: text/plain\r\n\r\nx\r\n".encode()
        for name in file_names
    ]
    return b"".join([*parts, f"--{boundary}--\r\n".encode()]), f"multipart/form-data; boundary={boundary}"


def _reply_with_file(ticket, author, name: str = "screenshot.png", **kwargs) -> Attachment:
    message = ticket_reply(ticket=ticket, author=author, body="Here", attachments=[_file(name)], **kwargs)
    return message.attachments.get()


# --- Uploading --------------------------------------------------------------------------------


def test_a_request_comes_with_files_sent_as_multipart(customer, api_customer):
    answer = api_customer.upload(
        TICKETS,
        _submit(ServiceFactory(), attachments=[_file(), _file("log.txt", b"error 42", "text/plain")]),
    )

    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert ticket.customer == customer
    listed = api_customer.get(f"{TICKETS}{ticket.pk}/attachments/").json()["results"]
    assert [(row["name"], row["content_type"], row["size"], row["message"]) for row in listed] == [
        ("screenshot.png", "image/png", 9, None),
        ("log.txt", "text/plain", 8, None),
    ]
    log = ticket.attachments.get(original_name="log.txt")
    assert listed[1]["url"] == f"http://testserver/api/v1/attachments/{log.pk}/"
    assert b"".join(api_customer.get(listed[1]["url"]).streaming_content) == b"error 42"


def test_staff_log_a_request_with_files_for_a_customer(api_agent, agent, customer):
    answer = api_agent.upload(
        TICKETS, _submit(ServiceFactory(), customer=customer.pk, channel="phone", attachments=[_file()])
    )

    assert answer.status_code == 201, answer.content
    attachment = Ticket.objects.get(customer=customer).attachments.get()
    assert attachment.uploaded_by == agent


def test_a_reply_comes_with_files_and_answers_with_their_download_addresses(customer, api_customer):
    ticket = TicketFactory(customer=customer)

    answer = api_customer.upload(
        f"{TICKETS}{ticket.pk}/messages/", {"body": "Photo", "attachments": [_file()]}
    )

    assert answer.status_code == 201, answer.content
    attachment = ticket.attachments.get()
    assert attachment.message_id == answer.json()["id"]
    assert answer.json()["attachments"] == [
        {
            "id": attachment.pk,
            "name": "screenshot.png",
            "content_type": "image/png",
            "size": 9,
            "url": f"http://testserver/api/v1/attachments/{attachment.pk}/",
        }
    ]


def test_staff_attach_files_to_an_internal_note(api_agent):
    ticket = TicketFactory()

    answer = api_agent.upload(
        f"{TICKETS}{ticket.pk}/messages/", {"body": "Our notes", "internal": "true", "attachments": [_file()]}
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["internal"] is True
    assert ticket.attachments.get().message.is_internal


LIMITS = [
    pytest.param(
        lambda: [_file(f"f{n}.txt", b"x", "text/plain") for n in range(6)],
        "Attach at most 5 files.",
        id="too-many",
    ),
    pytest.param(
        lambda: [_file("run.exe", b"MZ", "application/octet-stream")],
        "run.exe: files of this type cannot be attached.",
        id="wrong-type",
    ),
    pytest.param(
        lambda: [_file("page.html", b"<script>", "text/plain")],
        "page.html: files of this type cannot be attached.",
        id="html-claiming-text",
    ),
    pytest.param(
        lambda: [_file("big.txt", b"x" * 11, "text/plain")],
        "big.txt is larger than 10\xa0bytes.",
        id="too-big",
    ),
]


@pytest.mark.parametrize(("files", "message"), LIMITS)
def test_a_request_with_refused_files_is_a_400_naming_the_field(settings, api_customer, files, message):
    settings.ATTACHMENT_MAX_BYTES = 10

    answer = api_customer.upload(TICKETS, _submit(ServiceFactory(), attachments=files()))

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"attachments": [message]}
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("files", "message"), LIMITS)
def test_a_reply_with_refused_files_is_a_400_naming_the_field(
    settings, customer, api_customer, files, message
):
    settings.ATTACHMENT_MAX_BYTES = 10
    ticket = TicketFactory(customer=customer)

    answer = api_customer.upload(f"{TICKETS}{ticket.pk}/messages/", {"body": "Photo", "attachments": files()})

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"attachments": [message]}
    assert not ticket.messages.exists()


def test_files_sent_other_than_as_file_parts_are_a_400_not_dropped(customer, api_customer):
    ticket = TicketFactory(customer=customer)
    answers = [
        api_customer.post(TICKETS, _submit(ServiceFactory(), attachments=["c2NyZWVu"])),
        api_customer.upload(TICKETS, _submit(ServiceFactory(), attachments="screenshot.png")),
        api_customer.post(
            f"{TICKETS}{ticket.pk}/messages/", {"body": "x", "attachments": [{"name": "a.png"}]}
        ),
    ]

    for answer in answers:
        assert answer.status_code == 400
        assert answer.json()["error"]["fields"] == {
            "attachments": ["Send files as multipart/form-data, each a part named “attachments”."]
        }
    assert not Ticket.objects.exclude(pk=ticket.pk).exists()
    assert not ticket.messages.exists()


def test_json_with_no_files_still_works(api_customer):
    answer = api_customer.post(TICKETS, _submit(ServiceFactory(), attachments=[]))

    assert answer.status_code == 201


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_file_names_are_kept_as_the_page_keeps_them_and_escaped_only_in_html(
    customer, customer_client, api_customer, hostile
):
    """A name comes back as typed: JSON escapes nothing. What the pages themselves never keep
    (folders, control and bidi characters, which Django's upload parser and the pages' rule
    drop; HTML entities, which Django's parser decodes; the middle of a name over 255
    characters, which Django cuts) the API does not keep either."""
    typed = hostile + ".txt"
    ticket = TicketFactory(customer=customer)
    body, content_type = _multipart({"body": "Here"}, [typed])
    answer = api_customer.upload(f"{TICKETS}{ticket.pk}/messages/", body, content_type=content_type)
    customer_client.post(reverse("tickets:reply", kwargs={"pk": ticket.pk}), body, content_type=content_type)

    assert answer.status_code == 201, answer.content
    by_api, by_page = ticket.attachments.order_by("pk")
    assert answer.json()["attachments"][0]["name"] == by_api.original_name == by_page.original_name
    if len(typed) <= 255 and not any(char in hostile for char in "/\\&\n\r\0\u202e"):
        assert by_api.original_name == typed
    page = customer_client.get(ticket.get_absolute_url()).content.decode()
    assert escape(by_api.original_name) in page
    if "<" in by_api.original_name:
        assert by_api.original_name not in page


# --- Idempotency-Key with files ---------------------------------------------------------------


def test_a_retried_upload_with_the_same_key_and_files_makes_one_ticket(api_customer):
    service = ServiceFactory()
    headers = {"Idempotency-Key": "upload-1"}

    first = api_customer.upload(TICKETS, _submit(service, attachments=[_file()]), headers=headers)
    again = api_customer.upload(TICKETS, _submit(service, attachments=[_file()]), headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(lambda: [_file(content=b"\x89PNG FAKE")], id="same-name-and-size-other-content"),
        pytest.param(lambda: [_file("other.png")], id="other-name"),
        pytest.param(lambda: [_file(), _file()], id="one-more"),
        pytest.param(lambda: [], id="none"),
    ],
)
def test_the_same_key_with_other_files_is_a_422(api_customer, other):
    service = ServiceFactory()
    headers = {"Idempotency-Key": "upload-2"}

    first = api_customer.upload(TICKETS, _submit(service, attachments=[_file()]), headers=headers)
    again = api_customer.upload(TICKETS, _submit(service, attachments=other()), headers=headers)

    assert (first.status_code, again.status_code) == (201, 422)
    assert Ticket.objects.count() == 1


# --- Downloading ------------------------------------------------------------------------------


def test_the_download_is_the_pages_with_its_headers(customer, api_customer):
    attachment = _reply_with_file(TicketFactory(customer=customer), customer, "Q3 report.pdf")

    answer = api_customer.get(_download_url(attachment))

    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="Q3 report.pdf"'
    assert answer["Content-Type"] == "application/pdf"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in answer["Cache-Control"]
    assert b"".join(answer.streaming_content) == b"\x89PNG fake"
    page = Client()
    page.force_login(customer)
    from_page = page.get(attachment.get_absolute_url())
    for header in ("Content-Disposition", "Content-Type", "Content-Security-Policy", "ETag", "Cache-Control"):
        assert from_page[header] == answer[header]


def test_a_file_you_have_is_a_304(customer, api_customer):
    attachment = _reply_with_file(TicketFactory(customer=customer), customer)
    etag = api_customer.get(_download_url(attachment))["ETag"]

    again = api_customer.get(_download_url(attachment), headers={"If-None-Match": etag})
    weak = api_customer.get(_download_url(attachment), headers={"If-None-Match": f"W/{etag}"})
    stale = api_customer.get(_download_url(attachment), headers={"If-None-Match": '"something-else"'})

    assert (again.status_code, weak.status_code, stale.status_code) == (304, 304, 200)
    assert again["ETag"] == etag
    assert again.content == b""


def test_a_304_is_only_for_who_may_see_the_file(customer, api_other_customer):
    attachment = _reply_with_file(TicketFactory(customer=customer), customer)

    answer = api_other_customer.get(_download_url(attachment), headers={"If-None-Match": "*"})

    assert answer.status_code == 404


def test_a_download_answers_whatever_the_client_accepts(customer, api_customer):
    attachment = _reply_with_file(TicketFactory(customer=customer), customer)

    answer = api_customer.get(_download_url(attachment), headers={"Accept": "application/pdf"})
    missing = api_customer.get("/api/v1/attachments/999999/", headers={"Accept": "application/pdf"})

    assert answer.status_code == 200
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404


def test_who_may_download_a_customers_file(customer):
    ticket = TicketFactory(customer=customer)
    copied, stranger = CustomerFactory(), CustomerFactory()
    TicketCC.objects.create(ticket=ticket, user=copied, created_at=timezone.now())
    attachment = _reply_with_file(ticket, customer)
    url = _download_url(attachment)

    answers = {
        role: ApiClient(user).get(url)
        for role, user in [
            ("customer", customer),
            ("copied", copied),
            ("stranger", stranger),
            ("agent", AgentFactory()),
        ]
    }
    anonymous = ApiClient().get(url)

    assert {role: answer.status_code for role, answer in answers.items()} == {
        "customer": 200,
        "copied": 200,
        "stranger": 404,
        "agent": 200,
    }
    assert answers["stranger"].json()["error"]["reason"] == "Not found, or not yours to see."
    assert anonymous.status_code == 401


def test_an_internal_notes_file_never_reaches_the_customers_side(customer):
    ticket = TicketFactory(customer=customer)
    copied = CustomerFactory()
    TicketCC.objects.create(ticket=ticket, user=copied, created_at=timezone.now())
    note = _reply_with_file(ticket, AgentFactory(), "notes.txt", internal=True)

    assert ApiClient(customer).get(_download_url(note)).status_code == 404
    assert ApiClient(copied).get(_download_url(note)).status_code == 404
    assert ApiClient(AgentFactory()).get(_download_url(note)).status_code == 200


def test_a_revoked_token_downloads_nothing(customer):
    from api.services import api_token_revoke

    attachment = _reply_with_file(TicketFactory(customer=customer), customer)
    client = ApiClient(customer)
    assert client.get(_download_url(attachment)).status_code == 200
    api_token_revoke(token=customer.api_tokens.get(), by=customer)

    assert client.get(_download_url(attachment)).status_code == 401


def test_a_browser_session_downloads_too(customer):
    attachment = _reply_with_file(TicketFactory(customer=customer), customer)
    browser = Client()
    browser.force_login(customer)

    assert browser.get(_download_url(attachment)).status_code == 200


# --- A ticket's files -------------------------------------------------------------------------


def test_a_tickets_files_for_each_side(customer, api_customer, api_agent):
    ticket = TicketFactory(customer=customer)
    mine = _reply_with_file(ticket, customer, "mine.png")
    note = _reply_with_file(ticket, AgentFactory(), "note.txt", internal=True)
    url = f"{TICKETS}{ticket.pk}/attachments/"

    as_customer = api_customer.get(url).json()["results"]
    as_agent = api_agent.get(url).json()["results"]

    assert [(row["name"], row["message"]) for row in as_customer] == [("mine.png", mine.message_id)]
    assert [row["name"] for row in as_agent] == ["mine.png", "note.txt"]
    assert as_agent[1]["url"] == f"http://testserver/api/v1/attachments/{note.pk}/"


def test_a_stranger_gets_a_404_for_a_tickets_files(customer, api_other_customer):
    ticket = TicketFactory(customer=customer)
    _reply_with_file(ticket, customer)

    assert api_other_customer.get(f"{TICKETS}{ticket.pk}/attachments/").status_code == 404


@pytest.mark.parametrize("count", [2, 10])
def test_a_tickets_files_take_the_same_queries_however_many(
    customer, agent, count, django_assert_num_queries
):
    ticket = TicketFactory(customer=customer)
    for n in range(count):
        _reply_with_file(ticket, customer if n % 2 else agent, f"f{n}.png", internal=bool(n % 2 == 0))
    as_customer, as_agent = ApiClient(customer), ApiClient(agent)
    url = f"{TICKETS}{ticket.pk}/attachments/"
    as_customer.get(url), as_agent.get(url)  # the token's first use and permissions, now cached

    # The token, the ticket, the page.
    with django_assert_num_queries(3):
        assert len(as_customer.get(url).json()["results"]) == count // 2
    with django_assert_num_queries(3):
        assert len(as_agent.get(url).json()["results"]) == count
