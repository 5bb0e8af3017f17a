import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.services import role_groups_sync

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _group_permissions(role: Role) -> set[str]:
    group = Group.objects.get(name=role.group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_group_carries_exactly_its_permissions(role):
    assert _group_permissions(role) == set(ROLE_PERMISSIONS[role])


def test_customer_is_only_a_customer(customer):
    assert customer.role == Role.CUSTOMER
    assert not customer.has_perm("accounts.work_ticket_queue")
    assert not customer.has_perm("accounts.manage_service_desk")


def test_agent_is_not_a_manager(agent):
    assert agent.role == Role.AGENT
    assert agent.has_perm("accounts.work_ticket_queue")
    assert not agent.has_perm("accounts.manage_service_desk")


def test_manager_is_also_an_agent(manager):
    assert manager.role == Role.MANAGER
    assert manager.has_perm("accounts.work_ticket_queue")
    assert manager.has_perm("accounts.manage_service_desk")


def test_user_without_group_or_inactive_has_no_role(customer):
    customer.is_active = False
    customer.save()

    assert UserFactory().role is None
    assert customer.role is None


def test_sync_restores_permissions_removed_by_hand():
    group = Group.objects.get(name=Role.MANAGER.group_name)
    group.permissions.clear()

    role_groups_sync()

    assert _group_permissions(Role.MANAGER) == set(ROLE_PERMISSIONS[Role.MANAGER])


def test_migrate_keeps_role_groups_in_place():
    call_command("migrate", verbosity=0)

    assert Group.objects.filter(name__in=[r.group_name for r in Role]).count() == 3
