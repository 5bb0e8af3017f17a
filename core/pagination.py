from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a page of a huge list never pays for an exact COUNT(*).

    Past the cap, `count_is_capped` is true and pages stop at the cap ("10,000+").
    """

    def __init__(self, object_list, per_page: int, *, cap: int = 10_000, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery: reads at most cap + 1 index entries.
        return min(self.object_list[: self.cap + 1].count(), self.cap)

    @cached_property
    def count_is_capped(self) -> bool:
        return self.object_list[self.cap : self.cap + 1].exists()
