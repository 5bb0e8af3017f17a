import statistics
import time
from email.message import EmailMessage

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from accounts import selectors as account_selectors
from inbound.models import InboundEmail
from inbound.services import inbound_process
from notifications import publisher
from servicedesk.celery import app as celery_app

BENCH_QUEUE = "servicedesk-bench"


class Command(BaseCommand):
    help = (
        "Figures for incoming e-mail on the current database: messages read per second by one "
        "worker, from the stored raw message to a new request (or a reply on one), with its "
        "confirmation e-mail in the outbox."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--messages", type=int, default=500, help="messages to read (default 500)")

    def handle(self, *args, messages: int, **options) -> None:
        customers = list(account_selectors.customer_search_base().exclude(email="")[:200])
        if not customers:
            self.stderr.write("No customers with an address: run seed_demo or seed_bench first.")
            return
        run = timezone.now().strftime("%Y%m%d%H%M%S")
        rows = InboundEmail.objects.bulk_create(
            InboundEmail(
                message_key=f"<bench-{run}-{n}@bench.example>",
                raw=_message(n, run, customers[n % len(customers)].email),
                via=InboundEmail.Via.PIPE,
                received_at=timezone.now(),
            )
            for n in range(messages)
        )
        real_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = BENCH_QUEUE  # the confirmations' tasks, not a worker's
        timings = []
        # A few demo customers send every message: the per-sender loop limit would ignore most.
        limit = override_settings(INBOUND_SENDER_LIMIT_PER_HOUR=messages + 1)
        limit.enable()
        try:
            started = time.perf_counter()
            for row in rows:
                begin = time.perf_counter()
                inbound_process(inbound_id=row.pk)
                timings.append((time.perf_counter() - begin) * 1000)
            elapsed = time.perf_counter() - started
            publisher.drain(timeout=60)
        finally:
            limit.disable()
            celery_app.conf.task_default_queue = real_queue
            with celery_app.connection_for_write() as conn:
                conn.default_channel.queue_purge(BENCH_QUEUE)
        outcomes = dict(
            InboundEmail.objects.filter(pk__in=[r.pk for r in rows])
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        timings.sort()
        self.stdout.write(f"database: {connection.vendor}; messages read by one process: {messages:,}")
        self.stdout.write(f"outcomes: {outcomes}")
        self.stdout.write(
            f"{messages / elapsed:,.0f} messages/s; per message median {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms"
        )


def _message(n: int, run: str, address: str) -> bytes:
    message = EmailMessage()
    message["From"] = address
    message["To"] = "helpdesk@example.com"
    message["Subject"] = f"Bench request {run}-{n}: the printer shows error {n}"
    message["Message-ID"] = f"<bench-{run}-{n}@bench.example>"
    message.set_content(
        f"Hello IT,\n\nThe printer on floor {n % 7} shows error {n}.\n\nThanks\n\n"
        "On Mon, IT wrote:\n> an earlier message\n"
    )
    if n % 4 == 0:
        message.add_alternative(f"<p>Hello IT,</p><p>The printer shows <b>error {n}</b>.</p>", subtype="html")
    return bytes(message)
