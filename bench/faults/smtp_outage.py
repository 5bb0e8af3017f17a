"""The mail server refusing connections for ten minutes, then hung for two (connections accepted,
never answered), then back, while customers and agents keep working.

Pass: no e-mail lost, none a dead letter, none sent twice; the outage cost no e-mail an attempt
(an unreachable server is nobody's e-mail's fault); every e-mail out within two minutes of the
server's return; the desk stays ready (/readyz 200: mail waits in the outbox); nothing else lost.

    python -m bench.faults.smtp_outage [--quick]
"""

import re
import time
from collections import Counter

from .harness import (
    Database,
    ReadyzProbe,
    Run,
    Traffic,
    Verdict,
    check_mail,
    check_traffic,
    describe_settings,
    options,
    report_http,
    say,
    stack,
    wait_all_mail_out,
)


def main(argv: list[str] | None = None) -> int:
    def durations(parser) -> None:
        parser.add_argument("--refusing", type=int, help="seconds the mail server refuses connections")
        parser.add_argument("--hung", type=int, help="seconds it then hangs")

    opts = options(__doc__.splitlines()[0], argv, durations)
    refusing, hung = (30, 20) if opts.quick else (600, 120)
    refusing = opts.refusing if opts.refusing is not None else refusing
    hung = opts.hung if opts.hung is not None else hung
    warm = 8 if opts.quick else 20
    with Run("smtp-outage", limit_seconds=300 if opts.quick else 1500, keep=opts.keep) as run:
        say(f"smtp_outage: the mail server refuses {refusing} s, then hangs {hung} s, then is back")
        describe_settings(opts.settings)
        _redis, database, sink, app = stack(run, database_server=opts.database_server, settings=opts.settings)
        seed = app.seed(customers=4, agents=2, graded=3)
        db = Database(database.url)
        app.start_web()
        worker = app.start_worker()
        app.start_beat()
        # A long outage at a calmer pace, so the run stays bounded in what it stores.
        traffic = Traffic(app, seed, tag="smtp", think=(0.4, 1.2) if opts.quick else (1.5, 3.0))
        traffic.start()
        probe = ReadyzProbe(app.base_url, interval=1.0 if opts.quick else 5.0)
        probe.start()
        started = time.monotonic()
        time.sleep(warm)
        refused_at = time.monotonic()
        sink.set_mode("refuse")
        say(f"mail server refusing at {refused_at - started:.0f} s")
        time.sleep(refusing)
        hung_at = time.monotonic()
        sink.set_mode("hang")
        say(f"mail server hung at {hung_at - started:.0f} s")
        time.sleep(hung)
        back_at = time.monotonic()
        sink.set_mode("accept")
        backlog = db.rows("SELECT count(*) FROM notifications_outboundemail WHERE status = 'pending'")[0][0]
        say(
            f"mail server back at {back_at - started:.0f} s; "
            f"{sink.hung_connections} connection(s) had been left hanging"
        )
        time.sleep(10)
        traffic.stop()
        ended = time.monotonic()

        verdict = Verdict()
        say(f"e-mails waiting when the server came back: {backlog}")
        say(
            f"traffic: {len(traffic.customers)} customers and {len(traffic.agents)} agents "
            f"for {ended - started:.0f} s"
        )
        report_http(
            traffic.ledger,
            [("before", started, refused_at), ("refusing", refused_at, hung_at), ("hung", hung_at, back_at),
             ("after", back_at, ended + 1)],
        )  # fmt: skip
        failed = [hit for hit in traffic.ledger.hits if hit.status >= 500 or hit.status == 0]
        verdict.require(not failed, f"{len(failed)} request(s) answered 5xx or not at all")
        check_traffic(db, traffic.ledger, verdict)
        mail, last = wait_all_mail_out(db, sink, deadline=back_at + 125)
        probe.stop()
        readyz = Counter(status for _t, status, _s in probe.samples)
        say(f"readyz: {', '.join(f'{s}: {n}' for s, n in sorted(readyz.items()))}")
        verdict.require(set(readyz) == {200}, f"/readyz was not always 200 ({dict(readyz)})")
        waits = [int(n) for n in re.findall(r"e-mails wait (\d+) s for the next try", worker.log_text())]
        say(f"mail server found unavailable {len(waits)} times; waits before the next try: {Counter(waits)}")
        check_mail(mail, last, back_at, verdict)
        attempts = Counter(attempts for status, attempts, _to in mail.rows.values() if status == "sent")
        verdict.require(set(attempts) <= {1}, f"the outage cost attempts: {dict(attempts)}")
        return verdict.print_and_exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
