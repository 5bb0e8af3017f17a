import asyncio
import email
import json
import random
import re
import secrets
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import User
from devkit.bench.data.tickets import BENCH_PREFIX
from devkit.load import processes, profiler
from devkit.load.client import Browser
from devkit.load.people import Agent, Customer, Expected, Ledger, Recorder, keep_going
from devkit.load.report import Figures, Step, step_lines, summary_lines
from notifications.models import OutboundEmail
from servicedesk.celery import app as celery_app
from tickets.models import Service, Team, Ticket, TicketMessage

BENCH_PASSWORD = f"{BENCH_PREFIX}-password"  # seed_bench's accounts share it


class Command(BaseCommand):
    help = (
        "A bounded load test: gunicorn with production settings on Postgres and Redis, a Celery "
        "worker, customers submitting and replying and agents browsing with no think time, stepped "
        "through numbers of users to find the throughput at which p95 stays within the target; then "
        "checks that every submission was stored once and confirmed by one e-mail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--steps",
            default="1+1,2+2,3+3,4+4,6+6,8+8",
            help="customers+agents of each step, comma-separated (default 1+1,2+2,3+3,4+4,6+6,8+8)",
        )
        parser.add_argument("--duration", type=float, default=30, help="measured seconds per step (30)")
        parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds before each step (5)")
        parser.add_argument("--target-p95", type=float, default=250, help="p95 to stay within, ms (250)")
        parser.add_argument("--port", type=int, default=8201, help="gunicorn's port (8201)")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (3)")
        parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync)")
        parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1)")
        parser.add_argument("--celery-concurrency", type=int, default=1, help="Celery worker processes (1)")
        parser.add_argument(
            "--url",
            default="",
            help="load a server already running here (http://127.0.0.1:PORT) instead of starting "
            "gunicorn and a worker; CPU is then measured for the machine and Postgres only",
        )
        parser.add_argument("--tickets", type=int, default=100_000, help="seed this many when there are none")
        parser.add_argument("--customers", type=int, default=10_000)
        parser.add_argument("--agents", type=int, default=50)
        parser.add_argument("--profile", action="store_true", help="sample where gunicorn's CPU goes")
        parser.add_argument(
            "--fragments",
            action="store_true",
            help="also make the htmx requests a page makes when it loads (the bell, presence)",
        )
        parser.add_argument("--json", dest="json_path", default="", help="also write the figures here")
        parser.add_argument("--random-seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("Run it on Postgres and Redis (DATABASE_URL, REDIS_URL).")
        steps = _parse_steps(options["steps"])
        self._seed(options)
        run_id = secrets.token_hex(3)
        run_dir = Path(settings.VAR_DIR) / "load" / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        port = int(options["url"].rsplit(":", 1)[1].strip("/")) if options["url"] else options["port"]
        mail_dir = run_dir / "mail"
        profile_dir = run_dir / "profile"
        env = processes.server_env(
            port=port,
            extra={
                "EMAIL_URL": f"filemail:///{mail_dir}",
                **({"LOAD_PROFILE_DIR": str(profile_dir)} if options["profile"] else {}),
            },
        )
        server = worker = None
        try:
            if not options["url"]:
                self._note("collecting static files for the production storage…")
                processes.collectstatic(env)
                worker = processes.celery_worker_start(
                    env=env, concurrency=options["celery_concurrency"], log=run_dir / "celery.log"
                )
                self._worker_wait(worker)
                server = processes.gunicorn_start(
                    port=port,
                    workers=options["workers"],
                    worker_class=options["worker_class"],
                    threads=options["threads"],
                    env=env,
                    log=run_dir / "gunicorn.log",
                )
            self._describe(options, port, run_id)
            groups = {}
            if server:
                groups = {"gunicorn": server.pid, "celery": worker.pid}
            meter = processes.CpuMeter(groups, database=connection.settings_dict["NAME"])
            meter.start()
            try:
                ledger = Ledger(run_id)
                setup = self._cast(steps)
                results, sign_in = asyncio.run(
                    self._drive(steps, options, setup, port, ledger, meter, profile_dir)
                )
            finally:
                meter.stop()
            checks = self._check(ledger, mail_dir if server else None)
        finally:
            processes.stop(server)
            processes.stop(worker)
        self._print(results, sign_in, checks, options)
        breakdown = self._profile(profile_dir) if options["profile"] else None
        if options["json_path"]:
            Path(options["json_path"]).write_text(
                json.dumps(
                    {
                        "run": run_id,
                        "options": {
                            k: options[k]
                            for k in (
                                "steps",
                                "duration",
                                "warmup",
                                "workers",
                                "worker_class",
                                "threads",
                                "fragments",
                            )
                        },
                        "steps": [asdict(step) for step in results],
                        "checks": checks,
                        "profile": breakdown,
                    },
                    indent=2,
                    default=float,
                )
            )
        if checks["problems"]:
            raise CommandError("; ".join(checks["problems"]))

    # --- setting up ----------------------------------------------------------------------------

    def _seed(self, options) -> None:
        if User.objects.filter(username__startswith=f"{BENCH_PREFIX}-customer-").exists():
            return
        self._note(f"seeding {options['tickets']:,} tickets (seed_bench; a few minutes)…")
        call_command(
            "seed_bench",
            tickets=options["tickets"],
            customers=options["customers"],
            agents=options["agents"],
            responses=options["tickets"] * 3 // 10,
        )

    def _worker_wait(self, worker) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise CommandError("The Celery worker exited.")
            if celery_app.control.ping(timeout=0.5):
                return
        raise CommandError("The Celery worker did not answer.")

    def _describe(self, options, port: int, run_id: str) -> None:
        server = (
            f"gunicorn with production settings on 127.0.0.1:{port}: {options['workers']} "
            f"{options['worker_class']} worker(s) × {options['threads']} thread(s); Celery worker: "
            f"{options['celery_concurrency']} process(es)"
            if not options["url"]
            else f"the server at {options['url']}"
        )
        self.stdout.write(f"run {run_id}: {server}")
        self.stdout.write(
            f"data: {Ticket.objects.count():,} tickets, "
            f"{User.objects.filter(username__startswith=f'{BENCH_PREFIX}-customer-').count():,} customers, "
            f"{User.objects.filter(username__startswith=f'{BENCH_PREFIX}-agent-').count():,} agents; "
            f"no think time{'; with the htmx fragments pages load' if options['fragments'] else ''}"
        )

    def _note(self, text: str) -> None:
        self.stderr.write(text)

    # --- driving the load ----------------------------------------------------------------------

    def _cast(self, steps) -> tuple[list[str], list[str], list[int], list[str]]:
        """Who takes part (seed_bench's accounts), the services they ask about, the queue filters."""
        most_customers = max(c for c, _ in steps)
        most_agents = max(a for _, a in steps)
        services = list(
            Service.objects.filter(is_active=True, provided_by_it=True).values_list("pk", flat=True)
        )
        teams = list(Team.objects.values_list("pk", flat=True))
        filters = [
            "view=mine",
            "view=unassigned&sort=newest",
            "view=vip",
            "view=breaching",
            *(f"priority=p2&team={team}&sort=priority" for team in teams),
            *(f"service={service}" for service in services[:5]),
        ]
        return _usernames("customer", most_customers), _usernames("agent", most_agents), services, filters

    async def _drive(
        self, steps, options, setup, port, ledger, meter, profile_dir
    ) -> tuple[list[Step], Step]:
        rng = random.Random(options["random_seed"])
        customers_names, agent_names, services, filters = setup
        recorder = Recorder()
        common = {"recorder": recorder, "password": BENCH_PASSWORD, "fragments": options["fragments"]}
        customers = [
            Customer(
                browser=Browser("127.0.0.1", port),
                username=name,
                rng=random.Random(rng.random()),
                ledger=ledger,
                services=services,
                **common,
            )
            for name in customers_names
        ]
        agents = [
            Agent(
                browser=Browser("127.0.0.1", port),
                username=name,
                rng=random.Random(rng.random()),
                filters=filters,
                **common,
            )
            for name in agent_names
        ]

        # Everyone signs in first (a password hash costs far more than a page), outside the steps.
        self._note(f"signing in {len(customers)} customers and {len(agents)} agents…")
        recorder.recording = True
        started = time.monotonic()
        before = await asyncio.to_thread(meter.snapshot)
        gate = asyncio.Semaphore(4)

        async def sign_in(person) -> None:
            async with gate:
                await person.sign_in()

        outcomes = await asyncio.gather(*(sign_in(p) for p in [*customers, *agents]), return_exceptions=True)
        sign_in_step = self._step_figures(
            recorder, 0, 0, time.monotonic() - started, before, await asyncio.to_thread(meter.snapshot)
        )
        failed = [o for o in outcomes if isinstance(o, Exception)]
        if failed:
            raise CommandError(f"{len(failed)} sign-ins failed: {failed[0]!r}")
        if options["profile"]:
            profile_dir.mkdir(parents=True, exist_ok=True)
            (profile_dir / "reset").touch()

        results = []
        for n_customers, n_agents in steps:
            people = [*customers[:n_customers], *agents[:n_agents]]
            self._note(
                f"step {n_customers}+{n_agents}: {options['warmup']:.0f} s warm-up, "
                f"{options['duration']:.0f} s measured…"
            )
            recorder.reset()
            recorder.recording = False
            until = time.monotonic() + options["warmup"] + options["duration"] + 60
            tasks = [asyncio.create_task(keep_going(person, until)) for person in people]
            await asyncio.sleep(options["warmup"])
            before = await asyncio.to_thread(meter.snapshot)
            recorder.recording = True
            started = time.monotonic()
            await asyncio.sleep(options["duration"])
            recorder.recording = False
            seconds = time.monotonic() - started
            after = await asyncio.to_thread(meter.snapshot)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            step = self._step_figures(recorder, n_customers, n_agents, seconds, before, after)
            results.append(step)
            for line in step_lines(step):
                self.stdout.write(line)
            await asyncio.sleep(1)  # requests cut off at the deadline finish on the server
        return results, sign_in_step

    def _step_figures(self, recorder, customers, agents, seconds, before, after) -> Step:
        kinds = {
            kind: Figures.of(recorder.timings.get(kind, []), recorder.errors.get(kind, 0), seconds)
            for kind in {*recorder.timings, *recorder.errors}
        }
        overall = Figures.of(
            [t for timings in recorder.timings.values() for t in timings],
            sum(recorder.errors.values()),
            seconds,
        )
        cpu = {group: after[group] - before[group] for group in after}
        return Step(customers, agents, seconds, overall, kinds, cpu, list(recorder.samples))

    # --- afterwards ----------------------------------------------------------------------------

    def _check(self, ledger: Ledger, mail_dir: Path | None) -> dict:
        """Every submission stored once with one confirmation e-mail; every reply stored once."""
        prefix = f"Load {ledger.run_id} #"
        stored = Counter(Ticket.objects.filter(title__startswith=prefix).values_list("title", flat=True))
        answered = {title: pk for title, pk in ledger.submitted.items() if pk is not None}
        unknown = [title for title, pk in ledger.submitted.items() if pk is None]
        problems = []
        twice = [t for t, n in stored.items() if n > 1]
        missing = [t for t in answered if stored[t] == 0]
        unasked = [t for t in stored if t not in ledger.submitted]
        unknown_twice = [t for t in unknown if stored[t] > 1]
        if twice:
            problems.append(f"{len(twice)} submissions stored more than once")
        if missing or unasked:
            problems.append(
                f"{len(missing)} answered submissions missing, {len(unasked)} tickets nobody submitted"
            )
        tickets = dict(Ticket.objects.filter(title__startswith=prefix).values_list("pk", "title"))
        confirmations = self._confirmations_wait(tickets)
        per_ticket = Counter(confirmations.values_list("idempotency_key", flat=True))
        unconfirmed = [pk for pk in tickets if per_ticket[f"ticket-created:{pk}"] != 1]
        unsent = confirmations.exclude(status=OutboundEmail.Status.SENT).count()
        if unconfirmed:
            problems.append(f"{len(unconfirmed)} tickets without exactly one confirmation in the outbox")
        if unsent:
            problems.append(f"{unsent} confirmations not sent")
        delivered = None
        if mail_dir is not None:
            delivered = _delivered_subjects(mail_dir, {f"SD-{pk}" for pk in tickets})
            not_once = [pk for pk in tickets if delivered[f"SD-{pk}"] != 1]
            if not_once:
                problems.append(f"{len(not_once)} confirmations not delivered exactly once")
        replies = Counter(
            TicketMessage.objects.filter(body__startswith=f"Load {ledger.run_id} reply ").values_list(
                "body", flat=True
            )
        )
        replies_answered = [b for b, pk in ledger.replies.items() if pk is not None]
        replies_wrong = [b for b in replies_answered if replies[b] != 1]
        replies_twice = [b for b in replies if replies[b] > 1]
        if replies_wrong or replies_twice:
            problems.append(f"{len(set(replies_wrong) | set(replies_twice))} replies not stored exactly once")
        return {
            "submissions_answered": len(answered),
            "submissions_cut_off": len(unknown),
            "submissions_cut_off_stored": sum(1 for t in unknown if stored[t] == 1),
            "unknown_stored_twice": len(unknown_twice),
            "tickets_stored": len(tickets),
            "stored_more_than_once": len(twice),
            "confirmations_in_outbox_once": len(tickets) - len(unconfirmed),
            "confirmations_sent": confirmations.filter(status=OutboundEmail.Status.SENT).count(),
            "confirmations_delivered_once": (
                sum(1 for pk in tickets if delivered[f"SD-{pk}"] == 1) if delivered is not None else None
            ),
            "replies_answered": len(replies_answered),
            "replies_stored_once": sum(1 for b in replies_answered if replies[b] == 1),
            "problems": problems,
        }

    def _confirmations_wait(self, tickets: dict[int, str], timeout: float = 120):
        keys = [f"ticket-created:{pk}" for pk in tickets]
        rows = OutboundEmail.objects.filter(idempotency_key__in=keys)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and rows.filter(status=OutboundEmail.Status.PENDING).exists():
            time.sleep(0.5)
        return rows

    # --- printing ------------------------------------------------------------------------------

    def _print(self, results: list[Step], sign_in: Step, checks: dict, options) -> None:
        f = sign_in.kinds.get("sign in")
        if f:
            self.stdout.write(
                f"sign-in (before the steps, not in their figures): {f.count} requests, p50 {f.p50:.0f} ms, "
                f"p95 {f.p95:.0f} ms, gunicorn "
                f"{1000 * sign_in.cpu.get('gunicorn', 0) / max(f.count // 2, 1):.0f} ms CPU per sign-in"
            )
        self.stdout.write("")
        for line in summary_lines(results, options["target_p95"]):
            self.stdout.write(line)
        c = checks
        self.stdout.write(
            f"submissions: {c['submissions_answered']} answered, {c['tickets_stored']} stored, "
            f"{c['stored_more_than_once']} stored twice; {c['submissions_cut_off']} cut off at a step's end "
            f"({c['submissions_cut_off_stored']} of them stored once, {c['unknown_stored_twice']} twice); "
            f"confirmations: {c['confirmations_in_outbox_once']} tickets with exactly one in the outbox, "
            f"{c['confirmations_sent']} sent"
            + (
                f", {c['confirmations_delivered_once']} delivered exactly once"
                if c["confirmations_delivered_once"] is not None
                else ""
            )
            + f"; replies: {c['replies_answered']} answered, {c['replies_stored_once']} stored once"
        )
        self.stdout.write("checks: " + ("; ".join(c["problems"]) if c["problems"] else "all passed"))

    def _profile(self, profile_dir: Path) -> dict:
        merged = profiler.merge(str(profile_dir))
        requests = merged["requests"]
        if not requests:
            self.stdout.write("profile: no requests sampled")
            return {}
        total = sum(merged["seconds"].values())
        self.stdout.write("")
        self.stdout.write(
            f"Where gunicorn's CPU goes (sampled at each kernel tick of CPU, "
            f"{requests:,} requests; the profiler's own cost included):"
        )
        width = max(len(k) for k in merged["seconds"])
        for category, seconds in merged["seconds"].most_common():
            self.stdout.write(
                f"  {category:<{width}} {1000 * seconds / requests:>6.1f} ms/request "
                f"{100 * seconds / total:>4.0f}%"
            )
        self.stdout.write(f"  {'total':<{width}} {1000 * total / requests:>6.1f} ms/request")
        self.stdout.write("Hottest functions (own CPU, innermost Python frame):")
        for function, seconds in merged["functions"].most_common(20):
            self.stdout.write(f"  {1000 * seconds / requests:>6.2f} ms/request  {function}")
        self.stdout.write("Where (category | innermost template | innermost function of the project's code):")
        for site, seconds in merged["sites"].most_common(25):
            self.stdout.write(f"  {1000 * seconds / requests:>6.2f} ms/request  {site}")
        return {
            "requests": requests,
            "ms_per_request": {k: 1000 * v / requests for k, v in merged["seconds"].items()},
            "functions_ms_per_request": {
                k: 1000 * v / requests for k, v in merged["functions"].most_common(40)
            },
            "sites_ms_per_request": {k: 1000 * v / requests for k, v in merged["sites"].most_common(60)},
        }


def _parse_steps(text: str) -> list[tuple[int, int]]:
    steps = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\+(\d+)\s*", part)
        if match is None:
            raise CommandError(f"A step is customers+agents, e.g. 8+8, not {part!r}.")
        steps.append((int(match.group(1)), int(match.group(2))))
    return steps


def _usernames(kind: str, count: int) -> list[str]:
    names = list(
        User.objects.filter(username__startswith=f"{BENCH_PREFIX}-{kind}-", is_active=True)
        .order_by("pk")
        .values_list("username", flat=True)[:count]
    )
    if len(names) < count:
        raise CommandError(f"Only {len(names)} {kind} accounts: seed more (seed_bench).")
    return names


def _delivered_subjects(mail_dir: Path, references: set[str]) -> Counter:
    """How many delivered e-mails (the file backend's files) name each ticket reference in their
    subject as a confirmation ("[SD-12] We have your request")."""
    found: Counter[str] = Counter()
    for path in mail_dir.glob("*.log"):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not raw.strip():
                continue
            subject = str(email.message_from_bytes(raw.lstrip()).get("Subject", ""))
            match = re.match(r"\[(SD-\d+)\] We have your request", subject)
            if match and match.group(1) in references:
                found[match.group(1)] += 1
    return found


__all__ = ["Command", "Expected"]
