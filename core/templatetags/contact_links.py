import re

from django import template

register = template.Library()


@register.filter
def tel_href(phone: str) -> str:
    """{{ service.contact_phone|tel_href }}: "+44 20 7946 0000" → "tel:+442079460000" (digits and + only)."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone or "")
