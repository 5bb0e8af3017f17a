"""A worker killed mid-delivery, twice: SIGKILL to its process group (the OOM killer, `docker
kill`), then SIGTERM to its process group (a deploy, `docker stop`), each while it is sending a
burst of e-mails and customers and agents keep working. After each, a new worker starts.

Pass: no ticket, reply or grade lost; every e-mail received; a copy only for an e-mail in flight
at the SIGKILL (at most one per pool process: the documented gap between the mail server's
acceptance and our commit), with the same Message-ID, and none at the SIGTERM (the task finishes
the e-mail in hand, then hands back the rest); every e-mail out within two minutes of the new
worker's start.

    python -m bench.faults.worker_kill [--quick]
"""

import signal
import time

from .harness import (
    Database,
    Run,
    Traffic,
    Verdict,
    check_copies_at,
    check_mail,
    check_traffic,
    describe_settings,
    mail_now,
    options,
    report_http,
    say,
    stack,
    wait_all_mail_out,
    wait_for,
)

CONCURRENCY = 2


def main(argv: list[str] | None = None) -> int:
    opts = options(__doc__.splitlines()[0], argv)
    burst = 200 if opts.quick else 600
    settle = 40 if opts.quick else 150  # how long one kill's e-mails may take to be all out
    with Run("worker-kill", limit_seconds=300 if opts.quick else 900, keep=opts.keep) as run:
        say(f"worker_kill: bursts of {burst} e-mails, worker --concurrency={CONCURRENCY} (prefork)")
        describe_settings(opts.settings)
        _redis, database, sink, app = stack(
            run, database_server=opts.database_server, settings=opts.settings, smtp_delay=0.02
        )
        seed = app.seed(customers=4 if opts.quick else 6, agents=2 if opts.quick else 3, graded=2)
        db = Database(database.url)
        app.start_web()
        worker = app.start_worker(CONCURRENCY)
        app.start_beat()
        traffic = Traffic(app, seed, tag="kill")
        traffic.start()
        started = time.monotonic()
        verdict = Verdict()
        kills = []
        for signum in (signal.SIGKILL, signal.SIGTERM):
            name = signal.Signals(signum).name
            tag = name.lower()
            before = len(sink.snapshot())
            app.burst(burst, tag)
            wait_for(
                lambda before=before: len(sink.snapshot()) - before >= burst // 3,
                timeout=120,
                what="a third of the burst to be sent",
            )
            killed_at = time.monotonic()
            worker.signal_group(signum)
            try:
                worker.popen.wait(timeout=60)
            except Exception:
                verdict.require(False, f"the worker did not exit within 60 s of {name}")
                worker.signal_group(signal.SIGKILL)
            exited = time.monotonic() - killed_at
            mail = mail_now(db, sink)
            in_burst = [pk for pk, (_s, _a, to) in mail.rows.items() if to.startswith(f"burst-{tag}-")]
            unsent = sum(1 for pk in in_burst if mail.rows[pk][0] != "sent")
            say(
                f"{name} to the worker's process group after {len(sink.snapshot()) - before} e-mails of the "
                f"burst; it exited in {exited:.1f} s leaving {unsent} of {burst} unsent"
            )
            if signum == signal.SIGTERM:
                handed_back = db.rows(
                    "SELECT count(*) FROM notifications_outboundemail WHERE status = 'pending' "
                    "AND enqueued_at IS NULL AND claimed_until IS NULL AND to_address LIKE %s",
                    (f"burst-{tag}-%",),
                )[0][0]
                claimed = db.rows(
                    "SELECT count(*) FROM notifications_outboundemail WHERE status = 'pending' "
                    "AND claimed_until IS NOT NULL AND to_address LIKE %s",
                    (f"burst-{tag}-%",),
                )[0][0]
                say(
                    f"  handed back at once (pending, not enqueued, no claim): {handed_back}; "
                    f"still claimed: {claimed}"
                )
                verdict.require(
                    claimed == 0, f"{claimed} e-mail(s) still claimed after SIGTERM (not handed back)"
                )
            time.sleep(2)
            worker = app.start_worker(CONCURRENCY)
            restarted = time.monotonic()
            kills.append((name, killed_at, restarted))
            mail, last = wait_all_mail_out(db, sink, deadline=restarted + settle)
            if last is not None:
                say(f"  every e-mail out {last - restarted:.1f} s after the new worker started")
            else:
                say(f"  {len(mail.missing)} e-mail(s) still not out {settle} s after the new worker started")
        time.sleep(2 if opts.quick else 5)
        traffic.stop()
        traffic_end = time.monotonic()
        say(
            f"traffic: {len(traffic.customers)} customers and {len(traffic.agents)} agents for "
            f"{traffic_end - started:.0f} s"
        )
        report_http(traffic.ledger, [("all", started, traffic_end + 1)])
        check_traffic(db, traffic.ledger, verdict)
        mail, last = wait_all_mail_out(db, sink, deadline=kills[-1][2] + 120)
        # SIGTERM is held while an e-mail is with the mail server and not yet committed; SIGKILL
        # cannot be: a copy is allowed at the SIGKILL only.
        check_copies_at(mail, [(name, at) for name, at, _r in kills if name == "SIGKILL"], verdict)
        check_mail(mail, last, kills[-1][2], verdict, allowed_copies=CONCURRENCY)
        relays = app.relay_runs()
        say(f"relay runs: {len(relays)}, e-mails they published: {sum(relays)}")
        return verdict.print_and_exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
