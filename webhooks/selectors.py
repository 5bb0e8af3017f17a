from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import WebhookDelivery, WebhookEndpoint


def endpoint_list() -> list[WebhookEndpoint]:
    """Every endpoint with its waiting and dead deliveries and its latest, in one query."""
    return list(
        WebhookEndpoint.objects.defer("secret").annotate(
            pending_count=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)),
            dead_count=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.DEAD)),
            last_delivery_at=Max("deliveries__created_at"),
        )
    )


def endpoint_get(*, pk: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=pk)


def delivery_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, without their payloads (paginate it)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload").order_by("-created_at", "-pk")
