"""A user's own notifications (what the bell shows)."""

from drf_spectacular.utils import extend_schema

from notifications import selectors as notification_selectors

from ..serializers.notifications import NotificationSerializer
from .base import ApiView, error_responses, paginated_schema


class NotificationList(ApiView):
    @extend_schema(
        operation_id="notifications_list",
        summary="Your notifications",
        description="Newest first: what the bell shows.",
        responses={
            200: paginated_schema(NotificationSerializer(many=True), "PaginatedNotificationList"),
            **error_responses(401, 429),
        },
    )
    def get(self, request):
        notifications = notification_selectors.notification_list_for(recipient=request.user)
        return self.paginate(notifications, NotificationSerializer, ("-created_at", "-pk"))
