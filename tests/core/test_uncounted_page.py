import pytest
from django.contrib.auth.models import Group

from core.pagination import uncounted_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    Group.objects.bulk_create(Group(name=f"g{n:02}") for n in range(7))
    return Group.objects.filter(name__startswith="g").order_by("name")


def test_pages_know_their_neighbours_without_counting(groups, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = uncounted_page(groups, "1", 3)
    last = uncounted_page(groups, 3, 3)

    assert [g.name for g in first.object_list] == ["g00", "g01", "g02"]
    assert (first.has_next, first.has_previous, first.start_index, first.end_index) == (True, False, 1, 3)
    assert [g.name for g in last.object_list] == ["g06"]
    assert (last.has_next, last.has_previous, last.start_index, last.end_index) == (False, True, 7, 7)


@pytest.mark.parametrize("number", ["abc", None, "-4", "0"])
def test_nonsense_page_numbers_mean_the_first_page(groups, number):
    assert uncounted_page(groups, number, 3).number == 1
