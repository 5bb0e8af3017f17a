"""Mail loops: two auto-responders answering each other must stop, and within the sender limit.

Everything here runs on real machinery. Instance A is this test process's servicedesk: its test
database, its Celery worker, mail out by SMTP. Instance B is a second servicedesk, really
separate: production settings, a database and a Redis of its own, its own secret key and
addresses, a `celery worker` process. Between them, and between A and the auto-responders, a
real SMTP server on 127.0.0.1 (tests/inbound/mailrelay.py) stands for the Internet: it hands each
message to the recipient's `manage.py ingest_email`, as an MTA pipe does, or to a naive
auto-responder, and logs every message. Each test waits until nothing is on its way and then
counts exactly what flowed and what each message became.

The loops our headers do not catch are played by mailrelay.NaiveResponder, a responder that
receives by SMTP and answers through the relay into A's ingest, rather than by a second desk with
its loop detection switched off: it is the real worst case (nothing in its mail to recognise, a
new Message-ID and subject each time), and needs nothing of ours disabled to get there.
"""

import os
from collections.abc import Iterator

import psycopg2
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.faults.harness import App, RedisServer, Run, ScratchDatabase
from inbound.models import InboundEmail
from notifications.models import OutboundEmail
from tickets import services as ticket_services
from tickets.models import Ticket, TicketMessage

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..tickets.factories import ServiceFactory, TicketFactory
from ..waiting import wait_until
from ..workers import database_url, needs_worker_process
from .mailrelay import IngestCommand, MailRelay, NaiveResponder, message, send

pytestmark = needs_worker_process

A_ADDRESS = "helpdesk@a.example"  # desk A's address: its INBOUND_ADDRESS and its From
B_ADDRESS = "helpdesk@b.example"
LIMIT = 3  # INBOUND_SENDER_LIMIT_PER_HOUR here (20 by default): each round of a loop is a few seconds
OVER_THE_LIMIT = f"More than {LIMIT} e-mails from this address in an hour."
# More messages than any test here expects: a loop that has not stopped by then is not stopping.
RUNAWAY = 8 * LIMIT
PAT = "pat@c.example"  # someone outside IT, whose mail is answered by a machine
SAM = "sam@a.example"  # an agent at desk A, away, with an auto-responder of their own

_INCOMING = f"SELECT message_key, from_address, status, reason FROM {InboundEmail._meta.db_table} ORDER BY id"
_OUTGOING = f"SELECT to_address, template, status FROM {OutboundEmail._meta.db_table} ORDER BY id"


class Desk:
    """What a servicedesk holds of the exchange, read from its database by a cursor: every
    incoming e-mail (message key, from, status, reason) and every outgoing one (to, template,
    status), oldest first."""

    def __init__(self, cursor_factory) -> None:
        self._cursor = cursor_factory

    def _rows(self, sql: str) -> list[tuple]:
        with self._cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]

    def incoming(self) -> list[tuple[str, str, str, str]]:
        return self._rows(_INCOMING)

    def outgoing(self) -> list[tuple[str, str, str]]:
        return self._rows(_OUTGOING)

    def state(self) -> tuple:
        return tuple(self.incoming()), tuple(self.outgoing())

    @staticmethod
    def at_rest(state: tuple) -> bool:
        """Nothing stored and not yet read, no e-mail waiting to be sent."""
        incoming, outgoing = state
        return all(row[2] != InboundEmail.Status.STORED for row in incoming) and all(
            row[2] != OutboundEmail.Status.PENDING for row in outgoing
        )


def wait_until_quiet(relay: MailRelay, *desks: Desk) -> None:
    """Until nothing is on its way: no message in the relay, no incoming e-mail waiting to be read
    and no outgoing one waiting to be sent anywhere, and nothing changed since the look 50 ms
    before. Every step of an exchange shows in one of these (a message in the relay until it is
    stored, a stored one until it is read, an e-mail pending until the relay has it), and no
    beat runs here to start anything new, so once quiet nothing more comes."""
    last: list[tuple] = []

    def quiet() -> bool:
        state = (len(relay.log()), *(desk.state() for desk in desks))
        if state[0] > RUNAWAY:
            raise AssertionError(f"{state[0]} messages and still going: the loop did not stop")
        settled = (
            relay.idle() and all(Desk.at_rest(desk_state) for desk_state in state[1:]) and last == [state]
        )
        last[:] = [state]
        return settled

    try:
        wait_until(quiet, timeout=60, message="the exchange of e-mails to come to rest")
    except AssertionError as timed_out:
        states = "\n".join(f"  {desk_state}" for desk_state in last[0][1:]) if last else ""
        relayed = "\n".join(f"  {entry}" for entry in relay.log())
        raise AssertionError(
            f"{timed_out}\nthe relay {'idle' if relay.idle() else 'busy'}, it took in:\n{relayed}\n"
            f"the desks hold (incoming, outgoing):\n{states}"
        ) from None


@pytest.fixture
def relay() -> Iterator[MailRelay]:
    relay = MailRelay().start()
    yield relay
    relay.stop()


@pytest.fixture
def desk_a(settings, celery_worker, relay) -> Iterator[Desk]:
    """Instance A, this process: mail out by SMTP to the relay, and mail for A_ADDRESS in through
    `manage.py ingest_email` against the test database (its tasks go to this process's worker)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", relay.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = settings.SERVER_EMAIL = f"IT Service Desk A <{A_ADDRESS}>"
    settings.INBOUND_ADDRESS = A_ADDRESS
    settings.INBOUND_UNKNOWN_SENDERS = "answer"
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = LIMIT
    ServiceFactory()
    test_database = {"DJANGO_SETTINGS_MODULE": "servicedesk.settings.test", "DATABASE_URL": database_url()}
    relay.route(A_ADDRESS, IngestCommand({**os.environ, **test_database}))
    desk = Desk(connection.cursor)
    yield desk
    # A loop that did not stop is cut here (the relay refuses every message from now on), and the
    # test ends once nothing is left to read, so no task is at work while the database is emptied.
    relay.routes.clear()
    wait_until(
        lambda: relay.idle() and not InboundEmail.objects.filter(status=InboundEmail.Status.STORED).exists(),
        message="the desk to read what it was sent",
    )


@pytest.fixture
def desk_b(relay, database_server) -> Iterator[Desk]:
    """Instance B: production settings, a database of its own on the suite's Postgres server
    (named after this process's test database, so pytest-xdist's processes never share it), a
    Redis of its own, a worker process; mail out by SMTP to the relay, and mail for B_ADDRESS in
    through its own `manage.py ingest_email`. Everything is stopped and dropped at the end."""
    with Run("loop-desk-b", limit_seconds=240) as run:
        redis = RedisServer(run)
        redis.start()
        database = ScratchDatabase(run, database_server, name=f"{connection.settings_dict['NAME']}_desk_b")
        database.create()
        app = App(run, database_url=database.url, redis_url=redis.url, smtp_port=relay.port)
        app.env.update(
            EMAIL_URL=f"smtp://127.0.0.1:{relay.port}",
            DEFAULT_FROM_EMAIL=f"IT Service Desk B <{B_ADDRESS}>",
            INBOUND_ADDRESS=B_ADDRESS,
            INBOUND_UNKNOWN_SENDERS="answer",
            INBOUND_SENDER_LIMIT_PER_HOUR=str(LIMIT),
        )
        app.manage("migrate", "--noinput")
        app.start_worker(concurrency=1)
        relay.route(B_ADDRESS, IngestCommand(app.env))
        peer = psycopg2.connect(database.url)
        peer.autocommit = True
        try:
            yield Desk(peer.cursor)
        finally:
            peer.close()


def test_two_desks_answering_each_other_stop_at_the_first_answer(desk_a, desk_b, relay):
    """A knows B's address as a customer's (someone registered it); B knows nobody at A and
    answers a stranger politely. A person writes to each from the other desk's address, so each
    desk answers, the other takes the answer in and recognises a machine by its Auto-Submitted
    header, and the exchange ends there. Then a forwarder that drops Auto-Submitted stands
    between them: the loop header still says a servicedesk sent it."""
    a, b = desk_a, desk_b
    CustomerFactory(email=B_ADDRESS)

    _person_writes(relay, sender=B_ADDRESS, to=A_ADDRESS, subject="Printer jams")
    wait_until_quiet(relay, a, b)
    _person_writes(relay, sender=A_ADDRESS, to=B_ADDRESS, subject="Hello B")
    wait_until_quiet(relay, a, b)
    relay.dropped_headers = {"Auto-Submitted", "Precedence", "X-Auto-Response-Suppress"}
    _person_writes(relay, sender=B_ADDRESS, to=A_ADDRESS, subject="Scanner")
    wait_until_quiet(relay, a, b)

    log = relay.log()
    assert [(m.from_header, m.to, m.auto_submitted, m.outcome) for m in log] == [
        (B_ADDRESS, A_ADDRESS, "", "delivered"),  # a person at B
        (A_ADDRESS, B_ADDRESS, "auto-generated", "delivered"),  # A's confirmation
        (A_ADDRESS, B_ADDRESS, "", "delivered"),  # a person at A
        (B_ADDRESS, A_ADDRESS, "auto-replied", "delivered"),  # B's polite answer to a stranger
        (B_ADDRESS, A_ADDRESS, "", "delivered"),  # a person at B
        (A_ADDRESS, B_ADDRESS, "", "delivered"),  # A's confirmation, Auto-Submitted dropped on the way
    ]
    assert [row[1:] for row in a.incoming()] == [
        (B_ADDRESS, "ticket", ""),
        (B_ADDRESS, "ignored", "Auto-Submitted: auto-replied"),
        (B_ADDRESS, "ticket", ""),
    ]
    assert [row[1:] for row in b.incoming()] == [
        (A_ADDRESS, "ignored", "Auto-Submitted: auto-generated"),
        (A_ADDRESS, "refused", "No customer account has this address."),
        (A_ADDRESS, "ignored", "our own loop header"),
    ]
    # Every message relayed is stored where it went: nothing was dropped on the way.
    for desk, address in ((a, A_ADDRESS), (b, B_ADDRESS)):
        assert [row[0] for row in desk.incoming()] == [m.message_id for m in log if m.to == address]
    assert a.outgoing() == [(B_ADDRESS, "tickets/created", "sent")] * 2
    assert b.outgoing() == [(A_ADDRESS, "inbound/refused", "sent")]
    # And staff see each one, with what became of it and why.
    _assert_listed_for_staff(a.incoming())


def _person_writes(relay: MailRelay, *, sender: str, to: str, subject: str) -> None:
    domain = sender.rpartition("@")[2]
    send(relay.port, message(sender=sender, to=to, subject=subject, text="Please help.", domain=domain))


def _assert_listed_for_staff(incoming: list[tuple]) -> None:
    staff = Client()
    staff.force_login(ManagerFactory())
    page = staff.get(reverse("admin:inbound_inboundemail_changelist")).content.decode()
    assert f"{len(incoming)} incoming e-mails" in page
    for reason in {row[3] for row in incoming} - {""}:
        assert reason in page


def _new_subject(number: int, theirs: str) -> str:
    return f"Case {1000 + number}: we have your message"  # a ticket system's own reference, not ours


def _re(number: int, theirs: str) -> str:
    return f"Re: {theirs}"


@pytest.mark.parametrize("pat_is", ["a customer", "a stranger, given an account"])
def test_a_responder_answering_everything_under_a_new_subject_stops_at_the_sender_limit(
    desk_a, relay, settings, pat_is
):
    """The worst case for A: a misconfigured ticket system at the customer's end answers every
    e-mail, A's confirmations included, as a new message under a new subject, with none of the
    headers that say a machine wrote it. Each answer is a new request to A, and each request a
    new confirmation to answer. The sender limit ends it: LIMIT requests, then the next message
    is kept, ignored with the reason, and not answered, so the responder has nothing more to
    answer. The same when A makes accounts for strangers (INBOUND_UNKNOWN_SENDERS=create)."""
    if pat_is == "a customer":
        CustomerFactory(email=PAT)
    else:
        settings.INBOUND_UNKNOWN_SENDERS = "create"
    responder = NaiveResponder(PAT, relay.port, subject=_new_subject)
    relay.route(PAT, responder)

    _person_writes(relay, sender=PAT, to=A_ADDRESS, subject="VPN drops")
    wait_until_quiet(relay, desk_a)

    incoming = desk_a.incoming()
    assert [row[1:] for row in incoming] == [(PAT, "ticket", "")] * LIMIT + [(PAT, "ignored", OVER_THE_LIMIT)]
    assert Ticket.objects.filter(customer__email=PAT).count() == LIMIT
    assert desk_a.outgoing() == [(PAT, "tickets/created", "sent")] * LIMIT  # and nothing more to answer
    log = relay.log()
    # The person's e-mail, then a confirmation and the responder's answer to it, LIMIT times.
    assert [m.to for m in log] == [A_ADDRESS] + [PAT, A_ADDRESS] * LIMIT
    assert {m.outcome for m in log} == {"delivered"} and responder.answered == LIMIT
    assert [row[0] for row in incoming] == [m.message_id for m in log if m.to == A_ADDRESS]
    _assert_listed_for_staff(incoming)


def test_a_strangers_responder_gets_one_polite_answer_and_no_more(desk_a, relay):
    """A stranger's responder, answered politely (INBOUND_UNKNOWN_SENDERS=answer): the polite
    answer goes at most once a day to an address, so its answer to that is refused unanswered."""
    responder = NaiveResponder(PAT, relay.port, subject=_new_subject)
    relay.route(PAT, responder)

    _person_writes(relay, sender=PAT, to=A_ADDRESS, subject="VPN drops")
    wait_until_quiet(relay, desk_a)

    refused = "No customer account has this address."
    assert [row[1:] for row in desk_a.incoming()] == [(PAT, "refused", refused)] * 2
    assert desk_a.outgoing() == [(PAT, "inbound/refused", "sent")]
    assert [(m.from_header, m.to, m.outcome) for m in relay.log()] == [
        (PAT, A_ADDRESS, "delivered"),
        (A_ADDRESS, PAT, "delivered"),
        (PAT, A_ADDRESS, "delivered"),
    ]
    assert responder.answered == 1 and not Ticket.objects.exists()


def test_two_vacation_responders_answering_through_a_ticket_stop_at_the_sender_limit(desk_a, relay):
    """The customer and the agent who has their request both away, both with a responder that
    answers "Re: <subject>" without saying it is one. The agent's reply reaches the customer's
    responder, whose answer is a reply on the request, which A tells the agent about, whose
    responder's answer is the agent's reply, which A sends the customer... Replies by e-mail
    count towards each sender's limit: each address has LIMIT replies read, then the customer's
    next answer is ignored, and nothing more is sent."""
    pat, sam = CustomerFactory(email=PAT), AgentFactory(email=SAM)
    ticket = TicketFactory(customer=pat, assignee=sam, title="VPN drops")
    relay.route(PAT, NaiveResponder(PAT, relay.port, subject=_re))
    relay.route(SAM, NaiveResponder(SAM, relay.port, subject=_re))

    ticket_services.ticket_reply(ticket=ticket, author=sam, body="Which VPN client is it?")  # before leaving
    wait_until_quiet(relay, desk_a)

    incoming = desk_a.incoming()
    assert [row[1:] for row in incoming] == [(PAT, "reply", ""), (SAM, "reply", "")] * LIMIT + [
        (PAT, "ignored", OVER_THE_LIMIT)
    ]
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1 + 2 * LIMIT
    # To the customer: the agent's reply, then each of the agent's responder's answers, passed on;
    # to the agent: each of the customer's responder's answers, reported.
    assert [row[0] for row in desk_a.outgoing()] == [PAT, SAM] * LIMIT + [PAT]
    assert {row[2] for row in desk_a.outgoing()} == {"sent"}
    log = relay.log()
    assert [m.to for m in log] == [PAT, A_ADDRESS, SAM, A_ADDRESS] * LIMIT + [PAT, A_ADDRESS]
    assert {m.outcome for m in log} == {"delivered"}
    assert [row[0] for row in incoming] == [m.message_id for m in log if m.to == A_ADDRESS]
