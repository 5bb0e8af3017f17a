"""Two `celery beat` processes at once (the mistake operations.md warns of): every periodic task
is scheduled twice, and two outbox relays run side by side while e-mails that never reached the
broker (as when it was down at commit) wait for them, and customers and agents keep working.

Pass: no e-mail sent twice; each never-enqueued e-mail published by exactly one relay run; every
e-mail out within two minutes; no ticket, reply or grade lost.

    python -m bench.faults.two_beats [--quick]
"""

import time

from .harness import (
    Database,
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
    opts = options(
        __doc__.splitlines()[0],
        argv,
        lambda parser: parser.add_argument("--seconds", type=int, help="how long both beats run"),
    )
    duration, batch, batches = (30, 100, 3) if opts.quick else (180, 200, 6)
    duration = opts.seconds or duration
    with Run("two-beats", limit_seconds=300 if opts.quick else 600, keep=opts.keep) as run:
        say(f"two_beats: two beats for {duration} s; {batches} batches of {batch} e-mails never enqueued")
        describe_settings(opts.settings)
        _redis, database, sink, app = stack(run, database_server=opts.database_server, settings=opts.settings)
        seed = app.seed(customers=4, agents=2, graded=2)
        db = Database(database.url)
        app.start_web()
        app.start_worker()
        app.start_beat()
        app.start_beat()
        traffic = Traffic(app, seed, tag="beats")
        traffic.start()
        started = time.monotonic()
        for n in range(batches):
            app.burst(batch, f"beats{n}", publish=False)
            time.sleep(max(0.0, started + (n + 1) * duration / batches - time.monotonic()))
        traffic.stop()
        ended = time.monotonic()

        verdict = Verdict()
        say(
            f"traffic: {len(traffic.customers)} customers and {len(traffic.agents)} agents "
            f"for {ended - started:.0f} s"
        )
        report_http(traffic.ledger, [("all", started, ended + 1)])
        failed = [hit for hit in traffic.ledger.hits if hit.status >= 500 or hit.status == 0]
        verdict.require(not failed, f"{len(failed)} request(s) answered 5xx or not at all")
        check_traffic(db, traffic.ledger, verdict)
        mail, last = wait_all_mail_out(db, sink, deadline=ended + 125)
        check_mail(mail, last, ended, verdict)
        relays = app.relay_runs()
        scheduled = [beat.log_text().count("Sending due task outbox-relay") for beat in app.beats]
        say(
            f"outbox-relay sent by each beat: {', '.join(map(str, scheduled))}; relay runs: {len(relays)}, "
            f"of which published something: {sum(1 for n in relays if n)}; e-mails published: {sum(relays)} "
            f"(never enqueued: {batch * batches})"
        )
        verdict.require(all(scheduled), "a beat never scheduled the relay")
        verdict.require(
            sum(relays) == batch * batches,
            f"the relays published {sum(relays)} e-mails for {batch * batches} never enqueued",
        )
        return verdict.print_and_exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
