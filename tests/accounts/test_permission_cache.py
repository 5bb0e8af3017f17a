"""Permissions kept in the cache between requests (accounts/permission_cache.py): read once, and
forgotten by whatever changes them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from accounts.permission_cache import permissions_get
from accounts.roles import Role

pytestmark = pytest.mark.django_db

QUEUE = "accounts.work_ticket_queue"
MANAGE = "accounts.manage_service_desk"


def _fresh(user: User) -> User:
    """The user as the next request loads them: a new instance, nothing remembered on it."""
    return User.objects.get(pk=user.pk)


def test_the_second_request_reads_no_permission_rows(agent, django_assert_num_queries):
    assert _fresh(agent).has_perm(QUEUE)  # reads and keeps them

    again = _fresh(agent)
    with django_assert_num_queries(0):
        assert again.has_perm(QUEUE)
        assert not again.has_perm(MANAGE)
        assert again.role == Role.AGENT


def test_a_page_after_the_first_runs_two_queries_fewer(agent_client, django_assert_max_num_queries):
    agent_client.get(reverse("tickets:queue"))
    cache.clear()
    with django_assert_max_num_queries(20) as cold:
        agent_client.get(reverse("tickets:queue"))
    with django_assert_max_num_queries(len(cold.captured_queries) - 2):
        agent_client.get(reverse("tickets:queue"))


def test_joining_a_group_from_the_users_side_counts_at_once(customer):
    assert not _fresh(customer).has_perm(QUEUE)

    customer.groups.add(Group.objects.get(name=Role.AGENT.group_name))

    assert _fresh(customer).has_perm(QUEUE)


def test_leaving_a_group_from_the_groups_side_counts_at_once(agent):
    assert _fresh(agent).has_perm(QUEUE)

    Group.objects.get(name=Role.AGENT.group_name).user_set.remove(agent)

    assert not _fresh(agent).has_perm(QUEUE)


def test_a_group_cleared_of_its_members_counts_at_once(agent):
    assert _fresh(agent).has_perm(QUEUE)

    Group.objects.get(name=Role.AGENT.group_name).user_set.clear()

    assert not _fresh(agent).has_perm(QUEUE)


def test_a_groups_permissions_changed_reach_every_member(agent, manager):
    assert _fresh(agent).has_perm(QUEUE)
    assert _fresh(manager).has_perm(QUEUE)

    Group.objects.get(name=Role.AGENT.group_name).permissions.clear()

    assert not _fresh(agent).has_perm(QUEUE)
    assert _fresh(manager).has_perm(QUEUE)  # the managers' group still carries it


def test_a_permission_given_to_the_user_alone_counts_at_once(customer):
    assert not _fresh(customer).has_perm(MANAGE)

    customer.user_permissions.add(Permission.objects.get(codename="manage_service_desk"))

    assert _fresh(customer).has_perm(MANAGE)


def test_a_deleted_group_takes_its_permissions_with_it(agent):
    assert _fresh(agent).has_perm(QUEUE)

    Group.objects.get(name=Role.AGENT.group_name).delete()

    assert not _fresh(agent).has_perm(QUEUE)


def test_becoming_a_superuser_or_inactive_counts_at_once(customer):
    assert not _fresh(customer).has_perm(MANAGE)

    User.objects.filter(pk=customer.pk).update(is_superuser=True)  # no signal: the entry says who it was for
    assert _fresh(customer).has_perm(MANAGE)

    User.objects.filter(pk=customer.pk).update(is_superuser=False, is_active=False)
    assert not _fresh(customer).has_perm("accounts.use_customer_portal")


def test_a_set_read_before_a_change_commits_is_forgotten_when_it_commits(
    agent, customer, django_capture_on_commit_callbacks
):
    """A request that reads the old rows while the change's transaction is open keeps nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        customer.groups.add(Group.objects.get(name=Role.AGENT.group_name))
        # Another request, meanwhile, reads a set and keeps it (here: the old one, by hand).
        permissions_get(_fresh(customer), lambda: {"accounts.use_customer_portal"})
        assert not _fresh(customer).has_perm(QUEUE)

    assert _fresh(customer).has_perm(QUEUE)


def test_without_the_cache_permissions_come_from_the_database(agent, monkeypatch):
    monkeypatch.setattr(cache, "get_many", lambda keys: {})  # as django-redis answers with Redis down
    monkeypatch.setattr(cache, "get", lambda key, default=None: default)

    assert _fresh(agent).has_perm(QUEUE)
    assert not _fresh(agent).has_perm(MANAGE)
