"""Hostile query strings on the API's schema and documentation pages (drf-spectacular's views):
the parameters they read are `format` and `lang`, never a 500 whatever their value. Every page is
in exactly one of this folder's sweeps."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.permissions import Access

from ..hostile import HOSTILE_INPUTS
from .fuzz import BREAKERS, PAGES, ROUTES, pages_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["api:schema", "api:docs"])
def test_no_format_or_language_makes_a_schema_page_fail(name):
    client = Client(raise_request_exception=False)
    failures = [
        value
        for value in [*HOSTILE_INPUTS[::4], *BREAKERS, "json", "yaml", "openapi-json"]
        if client.get(reverse(name), {"format": value, "lang": value}).status_code >= 500
    ]

    assert failures == []


def test_every_page_is_swept_by_one_role_module():
    by_role = [
        pages_for(Access.PUBLIC, Access.SIGNED_IN, Access.CUSTOMER),
        pages_for(Access.AGENT),
        pages_for(Access.MANAGER),
    ]
    swept = [route.name for pages in by_role for route in pages]

    assert sorted(swept) == sorted(route.name for route in PAGES)
    assert {route.name for route in ROUTES} - set(swept) == {
        "accounts:logout",
        "tickets:attachment",
        "api:schema",
        "api:docs",
    }
