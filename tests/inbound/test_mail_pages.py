"""The staff's incoming-mail pages: every message that came in and what became of it, one message
in full (never rendered, only shown as text), its raw download, and reading a failed one again,
recorded with who asked. Messages come from the corpus in tests/data/mail/, stored and read by
the real services."""

from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.views import redirect_to_login
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from inbound.models import InboundEmail
from inbound.selectors import RAW_SHOWN_BYTES
from inbound.services import inbound_process, inbound_store
from tickets.models import Service

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import ServiceFactory
from .test_ingest import CORPUS

pytestmark = pytest.mark.django_db

LIST = reverse("inbound:mail_list")
# What reading an e-mail raises when the catalog has no active entry to open its request on.
NO_CATALOG_ERROR = (
    "InboundSetupError: No active catalog entry to open e-mailed requests on: make one active "
    "(or set INBOUND_SERVICE_SLUG), then read it again."
)


@pytest.fixture
def alice(db):
    ServiceFactory(name="Something else", slug="something-else")
    return CustomerFactory(username="alice", email="alice@example.com")


def _ingest(name: str, *, via: str = InboundEmail.Via.PIPE, **replace) -> InboundEmail:
    raw = (CORPUS / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), str(new).encode())
    inbound, _ = inbound_store(raw=raw, via=via)
    return inbound_process(inbound_id=inbound.pk)


def _failed(name: str = "plain-new-request.eml", **replace) -> InboundEmail:
    """A message that fails for real: the catalog has no active entry to open its request on.
    The catalog is put back afterwards, as a manager would fix it."""
    active = list(Service.objects.filter(is_active=True).values_list("pk", flat=True))
    Service.objects.filter(pk__in=active).update(is_active=False)
    inbound = _ingest(name, **replace)
    Service.objects.filter(pk__in=active).update(is_active=True)
    assert (inbound.status, inbound.error) == (InboundEmail.Status.FAILED, NO_CATALOG_ERROR)
    return inbound


def _email(n: int, *, subject: str = "", sender: str = "alice@example.com") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@example.com"
    message["Subject"] = subject or f"Request number {n}"
    message["Message-ID"] = f"<page-{n}@example.com>"
    message.set_content(f"Text of request {n}.")
    return bytes(message)


def _rows(page: str) -> int:
    return page.count('<td data-label="Received"')


# The list


def test_a_failed_email_is_listed_with_its_sender_subject_and_error_and_counted_on_its_tab(
    alice, agent_client
):
    failed = _failed()
    _ingest("auto-reply.eml")
    _ingest("stranger.eml")
    request = _ingest("attachments-no-text.eml")

    page = agent_client.get(LIST).content.decode()

    assert _rows(page) == 4
    assert "Failed" in page and '<span class="badge rounded-pill text-bg-danger">1</span>' in page
    assert escape(NO_CATALOG_ERROR) in page
    assert failed.from_address == "alice@example.com" and "Printer on floor 3 prints blank pages" in page
    assert "Auto-Submitted: auto-replied" in page  # why the auto-reply was ignored
    assert "No customer account has this address." in page  # why the stranger was refused
    ticket_link = reverse("tickets:agent_detail", args=[request.ticket_id])
    assert f'href="{ticket_link}">{request.ticket.reference}</a>' in page
    assert f'href="{reverse("inbound:mail_detail", args=[failed.pk])}"' in page


def test_the_failed_tab_shows_only_the_failed_ones_and_every_tab_keeps_its_count(alice, agent_client):
    failed = _failed()
    _ingest("stranger.eml")
    _ingest("bounce-dsn.eml")

    response = agent_client.get(LIST, {"status": "failed"})
    page = response.content.decode()

    assert [inbound.pk for inbound in response.context["emails"]] == [failed.pk]
    counts = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {"": 3, "failed": 1, "stored": 0, "ticket": 0, "reply": 0, "ignored": 1, "refused": 1}
    assert [tab["status"] for tab in response.context["tabs"]][:2] == ["", "failed"]  # easy to find
    assert 'aria-current="page"' in page and "?status=failed" in page


def test_newest_first_and_filtered_by_channel_and_sender_or_subject(alice, agent_client):
    by_pipe = _ingest("plain-new-request.eml")
    by_imap = _ingest("stranger.eml", via=InboundEmail.Via.IMAP)
    latin = _ingest("latin1.eml", via=InboundEmail.Via.IMAP)

    def shown(**query) -> list[int]:
        return [inbound.pk for inbound in agent_client.get(LIST, query).context["emails"]]

    assert shown() == [latin.pk, by_imap.pk, by_pipe.pk]
    assert shown(via="imap") == [latin.pk, by_imap.pk]
    assert shown(via="pipe") == [by_pipe.pk]
    assert shown(q="STRANGER@") == [by_imap.pk]  # the sender, whatever the case
    assert shown(q="fällt") == [latin.pk]  # the subject
    assert shown(q="printer", via="imap") == []
    counts = {tab["status"]: tab["count"] for tab in agent_client.get(LIST, {"via": "imap"}).context["tabs"]}
    assert (counts[""], counts["ticket"], counts["refused"]) == (2, 1, 1)  # the tabs follow the filters


def test_a_filter_that_is_not_one_is_ignored(alice, agent_client):
    _ingest("plain-new-request.eml")

    response = agent_client.get(LIST, {"status": "deleted", "via": "fax", "q": "x\0y"})

    assert response.status_code == 200
    assert _rows(response.content.decode()) == 1


def test_the_list_pages_through_with_its_filters(alice, agent_client):
    for n in range(26):
        inbound_store(raw=_email(n), via=InboundEmail.Via.IMAP)

    first = agent_client.get(LIST, {"via": "imap"}).content.decode()
    second = agent_client.get(LIST, {"via": "imap", "page": "2"}).content.decode()

    assert _rows(first) == 25 and "?via=imap&page=2" in first
    assert _rows(second) == 1 and "Previous" in second


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_runs_the_same_few_queries_however_many_rows(alice, agent, count, django_assert_num_queries):
    for n in range(count):
        inbound = inbound_process(inbound_id=inbound_store(raw=_email(n), via=InboundEmail.Via.PIPE)[0].pk)
        assert inbound.status == InboundEmail.Status.TICKET
    client = Client()
    client.force_login(agent)
    client.get(LIST)  # the permission cache, warmed

    # The user, the page's rows with their tickets, the status counts, the service standards still
    # to read (the desk's banner): at 2 rows as at 20.
    with django_assert_num_queries(4):
        response = client.get(LIST)

    assert _rows(response.content.decode()) == count


# One message


def test_the_page_shows_headers_outcome_text_and_attachments(alice, agent_client):
    inbound = _ingest("plain-new-request.eml")

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    for shown in [
        "Alice Moreau &lt;Alice@Example.com&gt;",  # From, as written
        "IT Service Desk &lt;helpdesk@example.com&gt;",  # To
        "Tue, 01 Dec 2026 09:12:00 +0100",
        "&lt;CAFplain001@mail.example.com&gt;",
        "Opened a request",
        f"{inbound.ticket.reference} Printer on floor 3 prints blank pages",
        "The printer by the kitchen prints blank pages",  # the text the desk read
        "(1 attempt)",
    ]:
        assert shown in page, shown
    assert "Read it again" not in page  # only a failed message is read again


def test_attachments_are_listed_by_name_and_size(alice, agent_client):
    raw = (CORPUS / "attachments-no-text.eml").read_bytes()
    sizes = {
        part.get_filename(): len(part.get_payload(decode=True))
        for part in message_from_bytes(raw).walk()
        if part.get_filename()
    }
    inbound = _ingest("attachments-no-text.eml")

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    assert "error.png" in page and f"(image/png, {sizes['error.png']}\xa0bytes)" in page
    assert f"(application/octet-stream, {sizes['tool.exe']}\xa0bytes)" in page


def test_a_failed_message_shows_its_error_and_the_button_to_read_it_again(alice, agent_client):
    inbound = _failed()

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    assert escape(NO_CATALOG_ERROR) in page
    assert "Read it again" in page and f'action="{reverse("inbound:mail_retry", args=[inbound.pk])}"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_html_and_script_in_a_message_show_as_text_never_as_markup(alice, agent_client):
    inbound = _ingest("outlook-html-only.eml")

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    assert "<script>alert" not in page and "<b>" not in page and "<style>" not in page
    assert "Outlook shows 0x800CCC0E &lt;script&gt;alert(1)&lt;/script&gt; and closes." in page  # the text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page  # the page's script, in the raw
    assert "<details" in page and "<summary" in page


def test_bytes_that_are_not_utf8_show_as_replacement_characters(alice, agent_client):
    inbound = _ingest("latin1.eml")

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    assert "Der Drucker im B\ufffdro f\ufffdllt st\ufffdndig aus." in page  # the raw bytes
    assert "Der Drucker im Büro fällt ständig aus." in page  # the text, decoded by its charset


def test_a_message_the_parser_chokes_on_shows_its_headers_the_error_and_its_raw_text(alice, agent_client):
    """Python's address parser raises on this From header (an encoded word of one invalid byte,
    and no address): nobody can tell who sent it, so it fails, kept for staff to read."""
    inbound = _ingest("broken-from.eml")
    assert (inbound.status, inbound.error) == (
        InboundEmail.Status.FAILED,
        "IndexError: string index out of range",
    )
    assert (inbound.from_address, inbound.subject) == ("", "VPN certificate expired")

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    assert "The desk cannot read this message's text" in page
    assert "=?utf-8?b?\ufffd?= &lt;" in page  # the From header as written, its bad byte replaced
    assert "The VPN says my certificate expired this morning." in page  # in the raw message
    assert "Read it again" in page


def test_a_message_that_fails_again_on_retry_is_failed_again_with_two_attempts(alice, agent_client):
    inbound = _ingest("broken-from.eml")

    agent_client.post(reverse("inbound:mail_retry", args=[inbound.pk]))
    inbound = inbound_process(inbound_id=inbound.pk)

    assert (inbound.status, inbound.attempts) == (InboundEmail.Status.FAILED, 2)
    assert inbound.error == "IndexError: string index out of range"


def test_a_large_message_shows_its_start_and_the_download_has_it_whole(alice, agent_client):
    raw = _email(1).replace(b"Text of request 1.", b"x" * (RAW_SHOWN_BYTES + 5000) + b"THE END")
    inbound, _ = inbound_store(raw=raw, via=InboundEmail.Via.PIPE)
    inbound_process(inbound_id=inbound.pk)

    page = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()
    download = agent_client.get(reverse("inbound:mail_raw", args=[inbound.pk]))

    assert "Only the first 64.0\xa0KB are shown; the download has all of it." in page
    assert page.count("THE END") == 1  # in the text the desk read, not in the cut raw message
    assert download.content == raw


def test_the_raw_message_downloads_exactly_as_received_and_is_never_rendered(alice, agent_client):
    inbound = _ingest("outlook-html-only.eml")

    response = agent_client.get(reverse("inbound:mail_raw", args=[inbound.pk]))

    assert response.status_code == 200
    assert response.content == (CORPUS / "outlook-html-only.eml").read_bytes()
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="incoming-{inbound.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_message_that_does_not_exist_is_404(agent_client):
    for name in ["inbound:mail_detail", "inbound:mail_raw"]:
        assert agent_client.get(reverse(name, args=[999999])).status_code == 404
    assert agent_client.post(reverse("inbound:mail_retry", args=[999999])).status_code == 404


# Reading a failed message again


def test_an_agent_reads_a_failed_message_again_and_who_asked_is_recorded(
    alice, agent, agent_client, django_capture_on_commit_callbacks
):
    inbound = _failed()

    with django_capture_on_commit_callbacks() as published:
        response = agent_client.post(reverse("inbound:mail_retry", args=[inbound.pk]), follow=True)

    assert response.redirect_chain == [(reverse("inbound:mail_detail", args=[inbound.pk]), 302)]
    assert "The e-mail will be read again in a moment" in response.content.decode()
    inbound.refresh_from_db()
    assert (inbound.status, inbound.error) == (InboundEmail.Status.STORED, "")
    assert len(published) == 1  # its task, handed to the broker after commit
    entry = LogEntry.objects.get(object_id=str(inbound.pk))
    assert (entry.user, entry.action_flag) == (agent, CHANGE)
    assert entry.change_message == f"Read again. It had failed with: {NO_CATALOG_ERROR}"
    # The catalog was fixed, so this time it opens the request.
    inbound = inbound_process(inbound_id=inbound.pk)
    assert inbound.status == InboundEmail.Status.TICKET and inbound.ticket.customer == alice
    assert inbound.attempts == 2


def test_reading_again_a_message_that_has_not_failed_says_so_and_changes_nothing(alice, manager_client):
    inbound = _ingest("plain-new-request.eml")

    response = manager_client.post(reverse("inbound:mail_retry", args=[inbound.pk]), follow=True)

    assert response.status_code == 200
    assert (
        "Only an e-mail that failed is read again. This one is “Opened a request”, so it was left as it is."
        in response.content.decode()
    )
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.TICKET
    assert not LogEntry.objects.exists()


def test_the_second_of_two_retries_is_told_it_is_done(alice, agent_client, manager_client):
    inbound = _failed()
    url = reverse("inbound:mail_retry", args=[inbound.pk])

    agent_client.post(url)
    second = manager_client.post(url, follow=True)

    assert "This one is “Waiting to be read”" in second.content.decode()
    assert LogEntry.objects.count() == 1


def test_retry_needs_the_csrf_token_and_a_post(alice, agent):
    inbound = _failed()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    url = reverse("inbound:mail_retry", args=[inbound.pk])

    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.FAILED


def test_the_admin_action_reads_again_through_the_same_audited_service(alice, manager, manager_client):
    inbound = _failed()

    manager_client.post(
        reverse("admin:inbound_inboundemail_changelist"),
        {"action": "retry_reading", "_selected_action": [inbound.pk]},
    )

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.STORED
    (entry,) = LogEntry.objects.filter(object_id=str(inbound.pk))
    assert entry.user == manager and NO_CATALOG_ERROR in entry.change_message


# Who may open the pages


def _urls(inbound: InboundEmail) -> list[tuple[str, str]]:
    return [
        ("get", LIST),
        ("get", reverse("inbound:mail_detail", args=[inbound.pk])),
        ("get", reverse("inbound:mail_raw", args=[inbound.pk])),
        ("post", reverse("inbound:mail_retry", args=[inbound.pk])),
    ]


def test_anonymous_visitors_are_sent_to_log_in(alice, client):
    inbound = _failed()

    for method, url in _urls(inbound):
        response = getattr(client, method)(url)
        assert (response.status_code, response["Location"]) == (302, redirect_to_login(url)["Location"]), url
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.FAILED


def test_customers_are_refused_as_on_every_desk_page(alice, customer_client):
    inbound = _failed()

    for method, url in _urls(inbound):
        assert getattr(customer_client, method)(url).status_code == 403, url
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.FAILED


@pytest.mark.parametrize("factory", [AgentFactory, ManagerFactory], ids=["agent", "manager"])
def test_agents_and_managers_open_every_page_and_retry(alice, factory):
    inbound = _failed()
    client = Client()
    client.force_login(factory())

    answers = [getattr(client, method)(url).status_code for method, url in _urls(inbound)]

    assert answers == [200, 200, 200, 302]
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.STORED


def test_staff_find_the_page_in_the_navigation_and_customers_do_not(alice, agent_client, customer_client):
    assert f'href="{LIST}">Mail</a>' in agent_client.get(reverse("tickets:queue")).content.decode()
    assert LIST not in customer_client.get(reverse("core:home")).content.decode()


# Hostile text


@pytest.mark.parametrize("text", HOSTILE_INPUTS)
def test_hostile_senders_and_subjects_show_as_text_on_the_list_and_the_page(alice, agent_client, text):
    line = " ".join(text.replace("\0", "").split()) or "empty"
    message = EmailMessage()
    message["From"] = Address(display_name=line, addr_spec="alice@example.com")
    message["To"] = "helpdesk@example.com"
    message["Subject"] = line
    message["Message-ID"] = "<hostile@example.com>"
    message.set_content(text.replace("\0", "") or "empty")
    inbound, _ = inbound_store(raw=bytes(message), via=InboundEmail.Via.PIPE)
    inbound = inbound_process(inbound_id=inbound.pk)
    # The sender column shows the address the desk read: here, the hostile text itself.
    InboundEmail.objects.filter(pk=inbound.pk).update(from_address=line[:255])

    listed = agent_client.get(LIST).content.decode()
    detail = agent_client.get(reverse("inbound:mail_detail", args=[inbound.pk])).content.decode()

    assert inbound.subject == line[:255]
    assert escape(line[:255]) in listed  # the subject, and the sender
    assert listed.count(escape(line[:255])) >= 2
    assert escape(line) in detail  # the subject and the From header's name
    if "<" in line:
        assert line not in listed and line not in detail
