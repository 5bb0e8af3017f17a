"""Queues a burst of e-mails through the outbox, from inside the app's environment:

    python -m bench.faults.burst --count 600 --tag kill1 [--no-publish]

Each e-mail is the "we have your request" message of one seeded ticket, under its own key, to its
own address (burst-<tag>-<n>@faults.example), written in one transaction and published after
commit as the app does. --no-publish leaves them as the broker being down at commit would (never
enqueued): the relay has to find them.
"""

import argparse

import django

django.setup()

from django.db import transaction  # noqa: E402

from notifications import publisher, services  # noqa: E402
from tickets.models import Ticket  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    ticket = Ticket.objects.select_related("customer").order_by("pk").first()
    if args.no_publish:
        publisher.email_publish_after_commit = lambda message_id: None
        services.publisher = publisher
    with transaction.atomic():
        for n in range(args.count):
            services.email_queue(
                key=f"faults-burst:{args.tag}:{n}",
                to=f"burst-{args.tag}-{n}@faults.example",
                template="tickets/created",
                context={"ticket": ticket, "recipient": ticket.customer},
            )
    publisher.drain(timeout=60)


if __name__ == "__main__":
    main()
