import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.tasks import outbound_email_deliver_task
from servicedesk.celery import app as celery_app
from tickets.models import Ticket
from tickets.services import due_ticket_ids, followups_scan

BENCH_QUEUE = "servicedesk-bench"


class Command(BaseCommand):
    help = (
        "Figures for the follow-up machinery on the current (seed_bench) database: the due-set "
        "query, one scan handing out the due set, and e-mail delivery per worker process."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--due", type=int, default=10_000, help="tickets made due (default 10,000)")
        parser.add_argument("--repeat", type=int, default=50, help="timed runs of the query (default 50)")
        parser.add_argument("--messages", type=int, default=3_000, help="e-mails per delivery run")
        parser.add_argument("--workers", default="1,2", help="worker process counts to measure")

    def handle(self, *args, due: int, repeat: int, messages: int, workers: str, **options) -> None:
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("Run it on Postgres and Redis (DATABASE_URL, REDIS_URL), after seed_bench.")
        self.stdout.write(f"tickets: {Ticket.objects.count():,}")
        due_ids = self._make_due(due)
        try:
            self._due_query(repeat)
            self._scan(due_ids)
        finally:
            # Back to "not due", so the database stays a fair bench for the next run.
            Ticket.objects.filter(pk__in=due_ids).update(
                followup_due_at=timezone.now() + timedelta(days=1), followup_enqueued_at=None
            )
        for count in (int(n) for n in workers.split(",")):
            self._delivery(messages, count)

    def _make_due(self, due: int) -> list[int]:
        ids = list(
            Ticket.objects.filter(followup_due_at__isnull=False)
            .order_by("?")
            .values_list("pk", flat=True)[:due]
        )
        Ticket.objects.filter(pk__in=ids).update(
            followup_due_at=timezone.now() - timedelta(minutes=1), followup_enqueued_at=None
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticket")
        self.stdout.write(f"due now: {len(ids):,}")
        return ids

    def _due_query(self, repeat: int) -> None:
        now = timezone.now()
        timings = []
        for _ in range(repeat + 3):
            started = time.perf_counter()
            batch = due_ticket_ids(
                "followup_due_at", "followup_enqueued_at", now=now, batch_size=settings.FOLLOWUP_SCAN_BATCH
            )
            timings.append((time.perf_counter() - started) * 1000)
        timings = sorted(timings[3:])
        p95 = timings[round(0.95 * (len(timings) - 1))]
        plan = self._plan(now)
        self.stdout.write(
            f"due-set query, one batch of {len(batch):,}: median {statistics.median(timings):.2f} ms, "
            f"p95 {p95:.2f} ms ({plan})"
        )

    def _plan(self, now) -> str:
        query = Ticket.objects.filter(followup_due_at__lte=now).order_by("followup_due_at")[:1000]
        plan = query.values_list("pk", flat=True).explain()
        return "index tickets_followup_due_idx" if "tickets_followup_due_idx" in plan else plan

    def _scan(self, due_ids: list[int]) -> None:
        real_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = BENCH_QUEUE  # nobody consumes it: only the hand-out is timed
        try:
            runs = []
            for _ in range(3):
                self._purge()
                Ticket.objects.filter(pk__in=due_ids).update(followup_enqueued_at=None)
                started = time.perf_counter()
                handed = followups_scan()
                runs.append(time.perf_counter() - started)
            self.stdout.write(
                f"one scan hands out {handed:,} due tickets: median {statistics.median(runs):.2f} s "
                f"({', '.join(f'{r:.2f}' for r in runs)})"
            )
        finally:
            self._purge()
            celery_app.conf.task_default_queue = real_queue

    def _delivery(self, messages: int, processes: int) -> None:
        OutboundEmail.objects.filter(template="bench").delete()
        rows = OutboundEmail.objects.bulk_create(
            OutboundEmail(
                idempotency_key=f"bench:{processes}:{n}",
                to_address=f"bench{n}@example.com",
                subject="Bench",
                body_text="A benchmark message.",
                template="bench",
            )
            for n in range(messages)
        )
        self._purge()
        worker = self._worker_start(processes)
        try:
            started = time.perf_counter()
            ids, size = [row.pk for row in rows], settings.OUTBOX_DELIVERY_CHUNK
            with celery_app.connection_for_write() as conn:
                producer = conn.Producer()
                for chunk in (ids[start : start + size] for start in range(0, len(ids), size)):
                    outbound_email_deliver_task.apply_async((chunk,), queue=BENCH_QUEUE, producer=producer)
            sent = 0
            while sent < messages:
                time.sleep(0.05)
                sent = OutboundEmail.objects.filter(
                    template="bench", status=OutboundEmail.Status.SENT
                ).count()
                if time.perf_counter() - started > 300:
                    raise CommandError(f"Only {sent} of {messages} e-mails sent after 5 minutes.")
            elapsed = time.perf_counter() - started
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            OutboundEmail.objects.filter(template="bench").delete()
        self.stdout.write(
            f"delivery, {processes} worker process{'es' if processes > 1 else ''}: {messages:,} e-mails "
            f"in {elapsed:.2f} s = {messages / elapsed:,.0f} e-mails/s"
        )

    def _worker_start(self, processes: int) -> subprocess.Popen:
        """A real worker on the bench queue, e-mailing to memory; returns once it answers a ping."""
        name = f"bench-{processes}-{os.getpid()}@%h"
        env = {**os.environ, "EMAIL_URL": "memorymail://"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "servicedesk", "worker", "-Q", BENCH_QUEUE,
             "-c", str(processes), "--pool", "prefork", "-n", name, "--loglevel", "WARNING",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if celery_app.control.ping(timeout=0.5):
                return worker
        worker.kill()
        raise CommandError("The bench worker did not start.")

    def _purge(self) -> None:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(BENCH_QUEUE)
