from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass
class UncountedPage:
    """One page of a list too large to count: it fetches one row more than it shows to know
    whether a next page exists, and never runs COUNT(*)."""

    object_list: list
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1 if self.object_list else 0


def uncounted_page(
    queryset: QuerySet, number: object, per_page: int, *, max_page: int = 400
) -> UncountedPage:
    """Page `number` (1 if it is not a sensible page number) of `queryset`."""
    try:
        number = min(max(int(number), 1), max_page)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return UncountedPage(rows[:per_page], number, per_page, has_next=len(rows) > per_page)


def query_without(request: HttpRequest, name: str) -> str:
    """The request's query string without parameter `name` (to build page and panel links)."""
    return query_with(request, **{name: None})


def query_with(request: HttpRequest, **changes: str | None) -> str:
    """The request's query string with parameters set (None: removed), for a link."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()
