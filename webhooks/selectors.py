from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .models import WebhookDelivery, WebhookEndpoint


def endpoint_list() -> list[WebhookEndpoint]:
    """Every endpoint with its waiting and dead deliveries and its latest, in one query: each a
    subquery served by an index (the pending and dead partial indexes, the log's), not a join
    over every delivery ever made."""
    deliveries = WebhookDelivery.objects.filter(endpoint=OuterRef("pk"))
    return list(
        WebhookEndpoint.objects.defer("secret").annotate(
            pending_count=_count(deliveries.filter(status=WebhookDelivery.Status.PENDING)),
            dead_count=_count(deliveries.filter(status=WebhookDelivery.Status.DEAD)),
            last_delivery_at=Subquery(deliveries.order_by("-created_at", "-pk").values("created_at")[:1]),
        )
    )


def _count(rows: QuerySet) -> Subquery:
    return Coalesce(Subquery(rows.order_by().values("endpoint").annotate(n=Count("pk")).values("n")), 0)


def endpoint_get(*, pk: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=pk)


def delivery_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, without their payloads (paginate it)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload").order_by("-created_at", "-pk")


def dead_letter_count(*, endpoint: WebhookEndpoint) -> int:
    return WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.DEAD).count()
