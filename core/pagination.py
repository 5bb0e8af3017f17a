from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a page of a huge list never pays for an exact COUNT(*).

    Past the cap, `count_is_capped` is true and pages stop at the cap (shown as "1,000+").
    """

    def __init__(self, object_list, per_page: int, *, cap: int = 1_000, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _count_up_to_cap_plus_one(self) -> int:
        # Unordered, primary keys only, LIMITed: an index-only scan of at most cap + 1 entries.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._count_up_to_cap_plus_one, self.cap)

    @cached_property
    def count_is_capped(self) -> bool:
        return self._count_up_to_cap_plus_one > self.cap
