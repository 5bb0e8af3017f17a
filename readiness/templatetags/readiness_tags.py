from django import template

from accounts.models import User
from readiness import selectors

register = template.Library()


# The ticket page belongs to the tickets app, which does not know about readiness; this tag lets
# its routing hint (readiness/_routing_hint.html) read who is trained. One query per page.
@register.simple_tag
def agents_trained_on(service_id: int | None) -> list[User]:
    """The active agents trained on the service, by name."""
    return selectors.agents_trained_on(service_id=service_id)
