"""Postgres stopped for 30 s (pg_ctl stop -m fast: every session ended) while customers submit
requests, reply and grade, agents browse and the worker sends e-mail; then started again.

Pass: every ticket, reply and grade the app acknowledged is stored (requests made while the
database is away may fail: nothing can be stored then, and the customer is told so); /readyz 503
within its bound during the outage and 200 within seconds after; no e-mail lost; none sent twice
but one in flight as the database stopped (the gap between the mail server's acceptance and our
commit, at most one per pool process, same Message-ID); every e-mail out within two minutes of
the database's return.

    python -m bench.faults.postgres_stop [--quick]
"""

import time

from .harness import (
    Database,
    PostgresCluster,
    ReadyzProbe,
    Run,
    Traffic,
    Verdict,
    check_copies_at,
    check_mail,
    check_readyz,
    check_traffic,
    describe_settings,
    options,
    report_http,
    say,
    stack,
    wait_all_mail_out,
)

WORKER_CONCURRENCY = 2


def main(argv: list[str] | None = None) -> int:
    opts = options(__doc__.splitlines()[0], argv)
    if opts.database_server:
        raise SystemExit("postgres_stop stops its own cluster: --database-server does not apply")
    stopped = 10 if opts.quick else 30
    warm, cool = (8, 10) if opts.quick else (20, 20)
    with Run("postgres-stop", limit_seconds=400 if opts.quick else 600, keep=opts.keep) as run:
        say(f"postgres_stop: Postgres stopped {stopped} s under traffic")
        describe_settings(opts.settings)
        _redis, cluster, sink, app = stack(run, settings=opts.settings)
        assert isinstance(cluster, PostgresCluster)
        seed = app.seed(customers=6, agents=3, graded=3)
        db = Database(cluster.url)
        app.start_web()
        app.start_worker(WORKER_CONCURRENCY)
        app.start_beat()
        traffic = Traffic(app, seed, tag="pg")
        traffic.start()
        probe = ReadyzProbe(app.base_url)
        probe.start()
        started = time.monotonic()
        time.sleep(warm)
        app.burst(100, "pg")  # e-mails in flight as the database goes
        down_at = time.monotonic()
        cluster.stop("fast")
        say(f"Postgres stopped at {down_at - started:.0f} s")
        time.sleep(stopped)
        cluster.start()
        up_at = time.monotonic()
        say(f"Postgres started again at {up_at - started:.0f} s")
        time.sleep(cool)
        traffic.stop()
        traffic_end = time.monotonic()
        probe.stop()

        verdict = Verdict()
        say(
            f"traffic: {len(traffic.customers)} customers and {len(traffic.agents)} agents for "
            f"{traffic_end - started:.0f} s"
        )
        windows = [("before", started, down_at), ("down", down_at, up_at), ("after", up_at, traffic_end + 1)]
        hits = report_http(traffic.ledger, windows)
        settled = [
            hit for hit in hits["after"] if hit.at > up_at + 5 and (hit.status >= 500 or hit.status == 0)
        ]
        verdict.require(
            not settled, f"{len(settled)} request(s) failed more than 5 s after Postgres was back"
        )
        before = [hit for hit in hits["before"] if hit.status >= 500 or hit.status == 0]
        verdict.require(not before, f"{len(before)} request(s) failed before the fault")
        check_readyz(probe, [("Postgres down", down_at, up_at)], verdict)
        check_traffic(db, traffic.ledger, verdict)
        mail, last = wait_all_mail_out(db, sink, deadline=up_at + 125)
        # The database going away between the mail server's acceptance and our commit: the commit
        # fails, the row stays pending and the e-mail goes again under its Message-ID (the same gap
        # as a worker killed there), at most once per pool process of the worker.
        check_copies_at(mail, [("Postgres stopped", down_at)], verdict)
        check_mail(mail, last, up_at, verdict, allowed_copies=WORKER_CONCURRENCY)
        return verdict.print_and_exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
