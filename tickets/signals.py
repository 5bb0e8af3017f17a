from django.dispatch import Signal

# Sent inside the resolving transaction with `ticket`; other apps (surveys) listen for it.
ticket_resolved = Signal()

# Sent inside the redirecting transaction with `ticket` (its root cause recorded); the customers
# app listens, to notice customers who keep going around a process.
ticket_redirected = Signal()

# Sent inside the changing transaction whenever a change is recorded in a ticket's history, with
# `ticket` (as changed, perhaps not yet saved) and `event` (the TicketEvent); the webhooks app
# listens, to tell the endpoints that asked.
ticket_event_recorded = Signal()

# Sent inside the replying transaction when a reply or internal note is added (ticket_reply: the
# portal, the desk, e-mail and the API alike), with `message` and `from_it` (written by IT). The
# knowledge app listens, to count the articles it links; it may refuse the reply by raising a
# TicketError (an article customers cannot open, linked in a public reply), which rolls it back.
ticket_message_added = Signal()
