from django.dispatch import Signal

# Sent inside the resolving transaction with `ticket`; other apps (surveys) listen for it.
ticket_resolved = Signal()
