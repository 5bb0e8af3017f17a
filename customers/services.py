"""Everything the customers app changes."""

from accounts.models import User

from .models import CustomerProfile


def customer_profile_ensure(*, user: User) -> CustomerProfile:
    """The customer's profile, created (as a general customer) the first time it is needed."""
    profile, _ = CustomerProfile.objects.get_or_create(user=user)
    return profile
