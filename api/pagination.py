from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from tickets.views_desk import QUEUE_PAGE_SIZE


class Cursor(CursorPagination):
    """Cursor pagination in the order the view asks for (`view.cursor_ordering`): a stable key
    ending in the primary key, so a page never repeats or skips a row as rows are added."""

    page_size = QUEUE_PAGE_SIZE  # the desk's queue page: an API page costs what the page's does
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return tuple(view.cursor_ordering)

    def decode_cursor(self, request):
        """A cursor that is not one of ours is the client's mistake, a 400 (DRF answers 404, as if
        the list were not there)."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {
                    "__reason__": _("Use the `next` link as given."),
                    self.cursor_query_param: [_("This cursor is not valid.")],
                }
            ) from None
