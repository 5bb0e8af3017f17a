"""Who may call an API view: the same roles as the pages (accounts.permissions.Access).

Each API view names its `access`, as every page carries one decorator; HasAccess checks it, and
tests/api/test_matrix.py checks every endpoint and method for every role.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.permissions import Access

REFUSALS = {
    Access.SIGNED_IN: "",
    Access.CUSTOMER: _("Only customers can do this."),
    Access.AGENT: _("Only IT staff (agents and managers) can do this."),
    Access.MANAGER: _("Only managers can do this."),
}


def access_of(view, method: str) -> Access:
    """What a view requires for a method: its `access_by_method` entry, else its `access`."""
    return getattr(view, "access_by_method", {}).get(method, view.access)


class HasAccess(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        access = access_of(view, request.method)
        if access is Access.PUBLIC:
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        if access.permission is not None and not request.user.has_perm(access.permission):
            self.message = REFUSALS[access]
            return False
        return True
