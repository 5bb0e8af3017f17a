"""Twenty agents claim the same unassigned ticket at the same instant, for 200 tickets in turn
(a barrier releases their twenty POSTs together), against gunicorn as production runs it.

Pass: each ticket has exactly one winner, who got "It is yours" (302) and is its assignee; the
others were told it was taken (400), never a 500; one assignment in each ticket's history; no
e-mail lost or sent twice.

    python -m bench.faults.claim_race [--quick]
"""

import re
import threading
import time
from collections import Counter

from .harness import (
    Browser,
    Database,
    Run,
    Verdict,
    check_mail,
    describe_settings,
    options,
    say,
    stack,
    wait_all_mail_out,
)


def main(argv: list[str] | None = None) -> int:
    opts = options(
        __doc__.splitlines()[0],
        argv,
        lambda parser: parser.add_argument("--tickets", type=int, help="how many tickets to race for"),
    )
    agents, tickets = (20, 20) if opts.quick else (20, 200)
    tickets = opts.tickets or tickets
    with Run("claim-race", limit_seconds=300 if opts.quick else 900, keep=opts.keep) as run:
        say(f"claim_race: {agents} agents claim each of {tickets} tickets at once")
        describe_settings(opts.settings)
        _redis, database, sink, app = stack(run, database_server=opts.database_server, settings=opts.settings)
        seed = app.seed(customers=4, agents=agents, graded=0, unassigned=tickets)
        db = Database(database.url)
        app.start_web()
        app.start_worker()
        app.start_beat()
        browsers = {}
        for username in seed["agents"]:
            browsers[username] = Browser(app.base_url)
            browsers[username].sign_in(username, seed["password"])
            browsers[username].get("/desk/")  # the CSRF cookie, as the queue page sets it
        barrier = threading.Barrier(agents)
        outcomes: dict[int, dict[str, int]] = {}
        taken_message = 0
        slowest = 0.0
        lock = threading.Lock()

        def claim(username: str, ticket: int) -> None:
            nonlocal taken_message, slowest
            barrier.wait(timeout=60)
            answer = browsers[username].post(f"/desk/tickets/{ticket}/claim/", {})
            with lock:
                outcomes[ticket][username] = answer.status
                slowest = max(slowest, answer.seconds)
                if answer.status == 400 and re.search(r"has already taken this ticket", answer.body):
                    taken_message += 1

        started = time.monotonic()
        for ticket in seed["race_tickets"]:
            outcomes[ticket] = {}
            threads = [threading.Thread(target=claim, args=(username, ticket)) for username in seed["agents"]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        elapsed = time.monotonic() - started

        verdict = Verdict()
        statuses = Counter(status for per_ticket in outcomes.values() for status in per_ticket.values())
        say(
            f"claims: {sum(statuses.values())} in {elapsed:.0f} s ("
            + ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items()))
            + f"); slowest {slowest:.1f} s; {taken_message} refusals said who had taken it"
        )
        user_ids = dict(db.rows("SELECT username, id FROM accounts_user"))
        assignees = dict(
            db.rows("SELECT id, assignee_id FROM tickets_ticket WHERE title LIKE 'Claim race %%'")
        )
        assignments = Counter(
            ticket
            for (ticket,) in db.rows(
                "SELECT ticket_id FROM tickets_ticketevent WHERE kind = 'assigned' AND ticket_id = ANY(%s)",
                (list(outcomes),),
            )
        )
        winners_per_ticket = Counter()
        wrong_assignee = 0
        for ticket, per_ticket in outcomes.items():
            winners = [username for username, status in per_ticket.items() if status == 302]
            winners_per_ticket[len(winners)] += 1
            if len(winners) == 1 and assignees.get(ticket) != user_ids[winners[0]]:
                wrong_assignee += 1
        say(
            "tickets by number of winners: "
            + ", ".join(f"{n} winner(s): {count}" for n, count in sorted(winners_per_ticket.items()))
            + f"; assignee not the winner: {wrong_assignee}; assignments recorded per ticket: "
            + ", ".join(
                f"{n}: {count}" for n, count in sorted(Counter(assignments[t] for t in outcomes).items())
            )
        )
        verdict.require(winners_per_ticket == Counter({1: tickets}), "a ticket without exactly one winner")
        verdict.require(
            wrong_assignee == 0, f"{wrong_assignee} ticket(s) assigned to someone other than the winner"
        )
        verdict.require(set(statuses) <= {302, 400}, f"answers other than 302 and 400: {dict(statuses)}")
        verdict.require(
            taken_message == statuses.get(400, 0), "a refusal that did not say the ticket was taken"
        )
        verdict.require(
            all(assignments[t] == 1 for t in outcomes),
            "a ticket whose history has not exactly one assignment",
        )
        mail, last = wait_all_mail_out(db, sink, deadline=time.monotonic() + 120)
        check_mail(mail, last, None, verdict)
        return verdict.print_and_exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
