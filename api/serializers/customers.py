"""Customers as staff see them (their profile and category: internal, never for the customer), and
who a token belongs to. Input is validated by the customer page's own forms (customers/forms.py).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.roles import Role
from customers.models import CustomerCategory

from .common import Person


class PersonWithEmail(Person):
    email = serializers.CharField()


class CustomerRow(serializers.Serializer):
    """A customer in the list: who they are, their department and category."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")
    email = serializers.CharField()
    department = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField(help_text="Internal: never shown to the customer.")

    def get_department(self, customer) -> str:
        profile = getattr(customer, "customer_profile", None)
        return profile.department if profile is not None else ""

    @extend_schema_field(serializers.ChoiceField(choices=CustomerCategory.choices))
    def get_category(self, customer) -> str:
        profile = getattr(customer, "customer_profile", None)
        return profile.category if profile is not None else CustomerCategory.GENERAL


class CategoryChangeSerializer(serializers.Serializer):
    old_category = serializers.ChoiceField(choices=CustomerCategory.choices)
    new_category = serializers.ChoiceField(choices=CustomerCategory.choices)
    changed_by = Person(allow_null=True, help_text="Null when a VIP rule changed it.")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class RequestCounts(serializers.Serializer):
    total = serializers.IntegerField(help_text="Every request they made.")
    unresolved = serializers.IntegerField(help_text="Those not resolved yet.")


class CustomerForStaff(serializers.Serializer):
    """A customer as their page shows them to IT. Reads {"customer", "profile", "category_changes",
    "requests"} (customers and tickets selectors)."""

    id = serializers.IntegerField(source="customer.pk")
    name = serializers.CharField(source="customer.display_name")
    email = serializers.CharField(source="customer.email")
    department = serializers.CharField(source="profile.department")
    location = serializers.CharField(source="profile.location")
    phone = serializers.CharField(source="profile.phone")
    manager = PersonWithEmail(source="profile.manager", allow_null=True, help_text="Their line manager.")
    is_senior_executive = serializers.BooleanField(source="profile.is_senior_executive")
    notes = serializers.CharField(source="profile.notes", help_text="IT's own notes on how to serve them.")
    category = serializers.ChoiceField(source="profile.category", choices=CustomerCategory.choices)
    category_changes = CategoryChangeSerializer(many=True, help_text="The latest changes, newest first.")
    requests = RequestCounts()


class CustomerChangeInput(serializers.Serializer):
    """What the customer page's profile and category forms take; any of them, as one change."""

    department = serializers.CharField(max_length=100, allow_blank=True, required=False)
    location = serializers.CharField(max_length=100, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    manager = serializers.EmailField(
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text="Their line manager's e-mail address (an active account's); empty or null for none.",
    )
    is_senior_executive = serializers.BooleanField(
        required=False, help_text="Managers only: it makes them a VIP (audited)."
    )
    notes = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    category = serializers.ChoiceField(
        choices=CustomerCategory.choices, required=False, help_text="Managers only, with `reason`."
    )
    reason = serializers.CharField(
        max_length=2000, required=False, help_text="Why the category changes (kept in its history)."
    )


class Account(serializers.Serializer):
    """Who the token belongs to. Never their category."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")
    email = serializers.CharField()
    role = serializers.ChoiceField(
        choices=Role.choices, allow_null=True, help_text="Null for an account with no role yet."
    )
