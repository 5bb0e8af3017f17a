"""Who else has a ticket open right now, and whether they are writing a reply (collision notice).

Ephemeral and best-effort, so it lives in the cache, not the database: each open ticket page
checks in every few seconds, and an entry not renewed within PRESENCE_SECONDS disappears.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from accounts.models import User

PRESENCE_SECONDS = 30


@dataclass(frozen=True)
class Presence:
    name: str
    replying: bool


def presence_check_in(*, ticket_id: int, user: User, replying: bool) -> list[Presence]:
    """Record that `user` has the ticket open (and is or is not replying); returns the others."""
    key = f"ticket-presence:{ticket_id}"
    now = time.time()
    entries = {uid: entry for uid, entry in cache.get(key, {}).items() if entry["until"] > now}
    entries[user.pk] = {"name": user.display_name, "replying": replying, "until": now + PRESENCE_SECONDS}
    cache.set(key, entries, PRESENCE_SECONDS)
    return [Presence(entry["name"], entry["replying"]) for uid, entry in entries.items() if uid != user.pk]
