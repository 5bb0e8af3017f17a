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
