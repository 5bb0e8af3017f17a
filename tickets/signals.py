from django.dispatch import Signal

# Sent inside the resolving transaction with `ticket`; other apps (surveys) listen for it.
ticket_resolved = Signal()

# Sent inside the redirecting transaction with `ticket` (its root cause recorded); the customers
# app listens, to notice customers who keep going around a process.
ticket_redirected = Signal()
