"""Customers as IT sees them (staff only: a customer's category and IT's notes are internal), and
who a token belongs to."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.permissions import Access
from customers import selectors as customer_selectors
from customers.exceptions import CustomerError
from customers.forms import CategoryForm, CustomerProfileForm
from customers.services import category_field_refusal
from tickets import selectors as ticket_selectors
from tickets.forms import CustomerFindForm

from .. import selectors, services
from ..errors import PreconditionFailed, fields_invalid, form_invalid
from ..serializers.common import Error
from ..serializers.customers import Account, CustomerChangeInput, CustomerForStaff, CustomerRow
from .base import ApiView, error_responses, paginated_schema

PROFILE_FIELDS = tuple(CustomerProfileForm.base_fields)
CATEGORY_FIELDS = tuple(CategoryForm.base_fields)
CATEGORY_CHANGES_SHOWN = 20
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: if the customer has changed since, the change is refused (412).",
)


class CustomerList(ApiView):
    access = Access.AGENT

    @extend_schema(
        operation_id="customers_list",
        summary="Find customers (staff)",
        description="Every active customer, in the order their accounts were made; with `q`, those "
        "whose name, username or e-mail address contains each of its words, as the desk's “Log a "
        "request” finds them (nobody for fewer than two characters).",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="At most 100 characters.",
            )
        ],
        responses={
            200: paginated_schema(CustomerRow(many=True), "PaginatedCustomerList"),
            **error_responses(400, 401, 403, 429),
        },
    )
    def get(self, request):
        find = CustomerFindForm(request.query_params)
        if not find.is_valid():
            raise form_invalid(find)
        text = find.cleaned_data["q"]
        customers = (
            account_selectors.customers_matching(text=text)
            if text
            else account_selectors.customer_search_base()
        )
        return self.paginate(customers.select_related("customer_profile"), CustomerRow, ("pk",))


class CustomerDetail(ApiView):
    access = Access.AGENT

    def customer_data(self, pk: int) -> dict:
        """The customer as their page shows them, read afresh."""
        customer = customer_selectors.customer_get_for_staff(user_id=pk)
        profile = customer_selectors.customer_profile_get(customer=customer)
        history = customer_selectors.customer_category_history(profile=profile)[:CATEGORY_CHANGES_SHOWN]
        return CustomerForStaff(
            {
                "customer": customer,
                "profile": profile,
                "category_changes": history,
                "requests": ticket_selectors.customer_requests_get(customer=customer),
            }
        ).data

    def respond(self, pk: int) -> Response:
        data = self.customer_data(pk)
        return self.object_response(data, etag=selectors.representation_etag(_versioned(data)))

    @extend_schema(
        operation_id="customer_get",
        summary="One customer (staff)",
        description="Their profile, category, latest category changes and how many requests they "
        "made, as their page shows them. With an `ETag` header: send it back as `If-Match` when "
        "changing them.",
        responses={200: CustomerForStaff, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        return self.respond(pk)

    @extend_schema(
        operation_id="customer_change",
        summary="Change a customer's profile or category (staff)",
        description="Any of the profile's fields, as the customer page's form takes them, and (IT "
        "managers only) the category with its reason: one change, audited as on the page; if any "
        "part is refused, nothing changes. What only managers may change (the category, whether "
        "someone is a senior executive) is a 403 with the reason for agents; moving someone into or "
        "out of a VIP department a 400 on `department`, as on the page.",
        parameters=[IF_MATCH],
        request=CustomerChangeInput,
        responses={
            200: CustomerForStaff,
            412: OpenApiResponse(Error, description="The customer changed since your If-Match."),
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def patch(self, request, pk: int):
        customer, data = customer_selectors.customer_get_for_staff(user_id=pk), self.body()
        unknown = {
            name: [_("This cannot be changed here.")]
            for name in data
            if name not in PROFILE_FIELDS + CATEGORY_FIELDS
        }
        if unknown:
            raise fields_invalid(unknown)
        can_set_category = request.user.has_perm("customers.set_customer_category")
        if not can_set_category and any(name in data for name in CATEGORY_FIELDS):
            raise exceptions.PermissionDenied(_("Only IT managers can change a customer's category."))
        profile = customer_selectors.customer_profile_get(customer=customer)
        profile_changes, category = self.validated_changes(data, profile, can_set_category)
        try:
            services.customer_change(
                customer=customer,
                by=request.user,
                represent=lambda: _versioned(self.customer_data(pk)),
                if_match=self.if_match(),
                profile=profile_changes,
                category=category,
            )
        except services.StaleWriteError:
            raise PreconditionFailed from None
        except CustomerError as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return self.respond(pk)

    def validated_changes(self, data, profile, can_set_category: bool) -> tuple[dict, dict | None]:
        """The profile fields sent, by the page's profile form (those not sent as they are), and
        the category with its reason by the page's category form; a 400 naming every bad field."""
        profile_changes, category, invalid = {}, None, []
        if any(name in data for name in PROFILE_FIELDS):
            current = CustomerProfileForm(profile=profile, can_set_category=can_set_category).initial
            form = CustomerProfileForm(
                current | {name: data[name] for name in PROFILE_FIELDS if name in data},
                profile=profile,
                can_set_category=can_set_category,
            )
            # For an agent the form ignores "senior executive" (shown read-only): refuse a change.
            senior = form["is_senior_executive"].data
            if (
                "is_senior_executive" in data
                and senior != profile.is_senior_executive
                and not can_set_category
            ):
                raise exceptions.PermissionDenied(
                    category_field_refusal(
                        profile=profile, department=profile.department, is_senior_executive=senior
                    )
                )
            if form.is_valid():
                profile_changes = {name: form.cleaned_data[name] for name in PROFILE_FIELDS if name in data}
            else:
                invalid.append(form)
        if any(name in data for name in CATEGORY_FIELDS):
            form = CategoryForm(data)
            if form.is_valid():
                category = form.cleaned_data
            else:
                invalid.append(form)
        if invalid:
            raise form_invalid(*invalid)
        return profile_changes, category


class Me(ApiView):
    @extend_schema(
        operation_id="me",
        summary="Who you are",
        description="Whom the token (or session) belongs to, and their role.",
        responses={200: Account, **error_responses(401, 429)},
    )
    def get(self, request):
        return Response(Account(request.user).data)


def _versioned(data: dict) -> dict:
    """What a customer's ETag covers: everything shown but their requests' counts, which move
    with every ticket and are not what a write changes (a new request must not make it stale)."""
    return {name: value for name, value in data.items() if name != "requests"}
