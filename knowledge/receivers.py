"""The knowledge base hearing the tickets app: a reply or note from IT counts the articles it links."""

from tickets.models import TicketMessage

from . import services


def article_uses_on_reply(sender, message: TicketMessage, from_it: bool, **kwargs) -> None:
    if from_it:
        services.article_uses_record(message=message)
