from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The knowledge base: articles and service standards, versioned, owned and reviewed."""

    name = "knowledge"
    verbose_name = "Knowledge base"
