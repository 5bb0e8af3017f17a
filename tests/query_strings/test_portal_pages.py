"""Hostile query strings (fuzz.py): the pages anyone, any signed-in user or a customer opens."""

import pytest

from accounts.permissions import Access

from .fuzz import pages_for, query_strings_sweep

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "route", pages_for(Access.PUBLIC, Access.SIGNED_IN, Access.CUSTOMER), ids=lambda route: route.name
)
def test_no_query_string_makes_a_page_fail(route):
    assert query_strings_sweep(route) == []
