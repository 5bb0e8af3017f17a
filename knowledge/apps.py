from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The knowledge base: articles and service standards, versioned, owned and reviewed."""

    name = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from tickets.signals import ticket_message_added

        from . import receivers

        ticket_message_added.connect(receivers.article_uses_on_reply, dispatch_uid="knowledge-article-uses")
