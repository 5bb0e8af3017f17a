"""Redis stopped for two minutes (it comes back empty: queued tasks and the cache are gone), then
frozen for 20 s (SIGSTOP: connections accepted, nothing answered), while customers submit
requests, reply and grade and agents browse the queue, tickets and search.

Pass: no 500 (nor a request left unanswered) while Redis is down or frozen; /readyz 503 within
its bound during each outage and 200 within seconds after; no ticket, reply, grade or e-mail lost;
no e-mail sent twice; every e-mail out within two minutes of the fault's end.

    python -m bench.faults.redis_outage [--quick]
"""

import time

from .harness import (
    Database,
    ReadyzProbe,
    Run,
    Traffic,
    Verdict,
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


def main(argv: list[str] | None = None) -> int:
    opts = options(__doc__.splitlines()[0], argv)
    down, frozen = (20, 8) if opts.quick else (120, 20)
    warm, between, cool = (8, 10, 10) if opts.quick else (20, 30, 20)
    with Run("redis-outage", limit_seconds=400 if opts.quick else 900, keep=opts.keep) as run:
        say(f"redis_outage: Redis stopped {down} s, then frozen {frozen} s, under traffic")
        describe_settings(opts.settings)
        redis_server, database, sink, app = stack(
            run, database_server=opts.database_server, settings=opts.settings
        )
        seed = app.seed(customers=6, agents=3, graded=3)
        db = Database(database.url)
        app.start_web()
        app.start_worker()
        app.start_beat()
        traffic = Traffic(app, seed, tag="redis")
        traffic.start()
        probe = ReadyzProbe(app.base_url)
        probe.start()
        started = time.monotonic()
        time.sleep(warm)

        down_at = time.monotonic()
        redis_server.stop()
        say(f"Redis stopped at {down_at - started:.0f} s")
        time.sleep(down)
        redis_server.start()
        up_at = time.monotonic()
        say(f"Redis started again (empty) at {up_at - started:.0f} s")
        time.sleep(between)

        frozen_at = time.monotonic()
        redis_server.freeze()
        say(f"Redis frozen at {frozen_at - started:.0f} s")
        time.sleep(frozen)
        redis_server.thaw()
        thawed_at = time.monotonic()
        say(f"Redis thawed at {thawed_at - started:.0f} s")
        time.sleep(cool)
        traffic.stop()
        traffic_end = time.monotonic()
        probe.stop()

        verdict = Verdict()
        say(
            f"traffic: {len(traffic.customers)} customers and {len(traffic.agents)} agents for "
            f"{traffic_end - started:.0f} s"
        )
        windows = [
            ("before", started, down_at),
            ("down", down_at, up_at),
            ("between", up_at, frozen_at),
            ("frozen", frozen_at, thawed_at),
            ("after", thawed_at, traffic_end + 1),
        ]
        hits = report_http(traffic.ledger, windows)
        for name in ("down", "frozen"):
            bad = [hit for hit in hits[name] if hit.status >= 500 or hit.status == 0]
            verdict.require(
                not bad, f"{len(bad)} request(s) answered 5xx or not at all while Redis was {name}"
            )
        other_bad = [hit for hit in traffic.ledger.hits if hit.status >= 500 or hit.status == 0]
        verdict.require(not other_bad, f"{len(other_bad)} request(s) answered 5xx or not at all in all")
        check_readyz(probe, [("Redis down", down_at, up_at), ("Redis frozen", frozen_at, thawed_at)], verdict)
        check_traffic(db, traffic.ledger, verdict)
        mail, last = wait_all_mail_out(db, sink, deadline=thawed_at + 125)
        check_mail(mail, last, thawed_at, verdict)
        return verdict.print_and_exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
