"""Values read straight from a query string, parsed before they reach a query: one that is not
what it should be comes back as None (the page treats it as absent or answers 404), never as an
exception deeper down. (`"²".isdigit()` is true and Postgres refuses a NUL: both were 500s.)"""

import re

_ID = re.compile(r"[0-9]{1,18}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")


def id_param(value: object) -> int | None:
    """A row id: ASCII digits only, of a size a bigint holds."""
    text = str(value or "")
    return int(text) if _ID.fullmatch(text) else None


def slug_param(value: object) -> str | None:
    """A slug as Django's SlugField accepts it."""
    text = str(value or "")
    return text if _SLUG.fullmatch(text) else None
