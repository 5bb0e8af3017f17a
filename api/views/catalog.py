"""The catalog of services, which everyone signed in reads."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from tickets import selectors as ticket_selectors

from ..serializers.catalog import ServiceSerializer
from .base import ApiView, error_responses


class ServiceList(ApiView):
    @extend_schema(
        operation_id="services_list",
        summary="The catalog",
        responses={200: ServiceSerializer(many=True), **error_responses(401, 429)},
    )
    def get(self, request):
        catalog = ticket_selectors.service_list_for_catalog()
        return Response(ServiceSerializer(catalog, many=True).data)
