"""The managers' report card, read as the dashboard reads it."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema

from accounts.permissions import Access
from reports.selectors import Dashboard

from ..serializers.reports import ReportCard
from .base import ApiView, error_responses
from .surveys import DASHBOARD_FILTER, dashboard_filter_read


class ReportCardView(ApiView):
    access = Access.MANAGER

    @extend_schema(
        operation_id="report_card_get",
        summary="The report card (managers)",
        description="The dashboard's report card and service health for a period and filter, "
        "and for the period of the same length before it: the dashboard's own figures (read from "
        "the same rollups by the same code), so they are the numbers the page shows. Rates are "
        "shares from 0 to 1 (the page shows them as percentages). A filter that is not valid is a "
        "400 naming it (the page would show its default period and filter instead).",
        parameters=DASHBOARD_FILTER,
        responses={200: ReportCard, **error_responses(400, 401, 403, 429)},
    )
    def get(self, request):
        form, teams, services = dashboard_filter_read(request.query_params)
        board = Dashboard.for_filter(form, teams=teams, services=services, now=timezone.now())
        data = {
            "scope": str(board.scope),
            "current": {"period": board.period, "figures": board.figures},
            "previous": {"period": board.period.previous(), "figures": board.previous},
        }
        return self.object_response(ReportCard(data).data)
