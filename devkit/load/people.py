"""What the people of `manage.py load` do, with no think time: customers sign in, submit requests
through the real form and reply on them; agents go through the queue, ticket pages and search.

Every request is recorded under its page kind (`Recorder`), with its time and whether it got the
answer a browser expects; every submission and reply is remembered, so the command can check
afterwards that each was stored once and confirmed by one e-mail.
"""

import itertools
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .client import Browser, RequestFailed, Response

TICKET_LINK = re.compile(rb'href="/desk/tickets/(\d+)/"')
HX_CSRF = re.compile(rb'"X-CSRFToken": "([^"]+)"')
SEARCH_TERMS = ["printer", "vpn", "outlook password", "laptop", "excel crashes", "wi-fi", "teams calls"]
DESCRIPTION = "It started this morning. I have restarted twice.\n\n- still slow\n- **urgent** for me"
SUBJECTS = [
    "Laptop fan loud since the update",
    "Cannot open the shared calendar",
    "Monitor flickers after lunch",
    "Need Visio installed",
    "VPN asks for my password twice",
]


@dataclass
class Recorder:
    """Every request's time (seconds) by page kind, and the failures, for the current step."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few failures, as text
    recording: bool = False

    def record(self, kind: str, elapsed: float, error: str | None = None) -> None:
        if not self.recording:
            return
        if error is None:
            self.timings[kind].append(elapsed)
        else:
            self.errors[kind] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{kind}: {error}")

    def reset(self) -> None:
        self.timings.clear()
        self.errors.clear()
        self.samples.clear()


@dataclass
class Ledger:
    """What the customers asked for, to be checked against the database afterwards."""

    run_id: str
    submitted: dict[str, int | None] = field(default_factory=dict)  # title -> ticket id (None: unknown)
    replies: dict[str, int | None] = field(default_factory=dict)  # body -> ticket id
    counter: itertools.count = field(default_factory=itertools.count)

    def next_title(self, rng: random.Random) -> str:
        return f"Load {self.run_id} #{next(self.counter)}: {rng.choice(SUBJECTS)}"


class Expected(Exception):
    """The answer was not the one a browser expects (status, redirect)."""


@dataclass
class Person:
    browser: Browser
    recorder: Recorder
    username: str
    password: str
    fragments: bool  # also make the htmx requests a browser makes when a page loads
    rng: random.Random

    async def call(self, kind: str, method: str, path: str, *, expect: int = 200, **kwargs) -> Response:
        try:
            if method == "GET":
                response = await self.browser.get(path, headers=kwargs.get("headers"))
            elif "fields" in kwargs:
                response = await self.browser.post_form(
                    path, kwargs["fields"], multipart=kwargs.get("multipart", False)
                )
            else:
                response = await self.browser.request("POST", path, headers=kwargs.get("headers"))
        except RequestFailed as exc:
            self.recorder.record(kind, 0.0, str(exc))
            raise
        if response.status != expect:
            self.recorder.record(kind, response.elapsed, f"{method} {path}: {response.status}, not {expect}")
            raise Expected(f"{kind}: {response.status}")
        self.recorder.record(kind, response.elapsed)
        return response

    async def page(self, kind: str, path: str) -> Response:
        """A whole page, and (with fragments) the bell's count htmx loads with it."""
        response = await self.call(kind, "GET", path)
        if self.fragments:
            await self.call("fragment: bell", "GET", "/notifications/badge/", headers={"HX-Request": "true"})
        return response

    async def sign_in(self) -> None:
        form = await self.call("sign in", "GET", "/accounts/login/")
        fields = {
            "csrfmiddlewaretoken": form.csrf_token(),
            "username": self.username,
            "password": self.password,
        }
        response = await self.call("sign in", "POST", "/accounts/login/", expect=302, fields=fields)
        if response.location != "/":
            raise Expected(f"sign in as {self.username} led to {response.location!r}")


@dataclass
class Customer(Person):
    ledger: Ledger | None = None
    services: list[int] = field(default_factory=list)

    async def round(self) -> None:
        """Home, a new request through the form, its page, a reply on it, the list of requests."""
        await self.page("customer: home", "/")
        form = await self.page("customer: new request form", "/requests/new/")
        title = self.ledger.next_title(self.rng)
        self.ledger.submitted[title] = None
        fields = {
            "csrfmiddlewaretoken": form.csrf_token(),
            "service": str(self.rng.choice(self.services)),
            "title": title,
            "description": DESCRIPTION,
            "urgency": self.rng.choice(["low", "medium", "high"]),
            "impact": self.rng.choice(["low", "medium"]),
        }
        sent = await self.call(
            "customer: submit", "POST", "/requests/new/", expect=302, fields=fields, multipart=True
        )
        match = re.fullmatch(r"/requests/(\d+)/", sent.location)
        if match is None:
            raise Expected(f"a submission led to {sent.location!r}")
        ticket = int(match.group(1))
        self.ledger.submitted[title] = ticket
        detail = await self.page("customer: request page", sent.location)
        body = f"Load {self.ledger.run_id} reply {next(self.ledger.counter)}: it happened again just now."
        self.ledger.replies[body] = None
        fields = {"csrfmiddlewaretoken": detail.csrf_token(), "body": body}
        await self.call(
            "customer: reply", "POST", f"{sent.location}reply/", expect=302, fields=fields, multipart=True
        )
        self.ledger.replies[body] = ticket
        await self.page("customer: request page", sent.location)
        await self.page("customer: my requests", "/requests/")


@dataclass
class Agent(Person):
    filters: list[str] = field(default_factory=list)

    async def round(self) -> None:
        """The queue, a ticket from it, a search, a filtered queue and a ticket from that."""
        queue = await self.page("agent: queue", "/desk/")
        await self.ticket_from(queue)
        await self.page("agent: search", "/desk/?q=" + self.rng.choice(SEARCH_TERMS).replace(" ", "+"))
        filtered = await self.page("agent: queue filtered", "/desk/?" + self.rng.choice(self.filters))
        await self.ticket_from(filtered)

    async def ticket_from(self, listing: Response) -> None:
        pks = TICKET_LINK.findall(listing.body)
        if not pks:
            return
        pk = int(self.rng.choice(pks))
        page = await self.page("agent: ticket page", f"/desk/tickets/{pk}/")
        if self.fragments:
            token = HX_CSRF.search(page.body)
            headers = {"HX-Request": "true", "X-CSRFToken": token.group(1).decode() if token else ""}
            await self.call("fragment: presence", "POST", f"/desk/tickets/{pk}/presence/", headers=headers)


async def keep_going(person: Person, until: float, pause_after_error: float = 0.5) -> None:
    """Rounds without a pause until the deadline; a failed request ends its round (it is counted)."""
    while time.monotonic() < until:
        try:
            await person.round()
        except (RequestFailed, Expected):
            await _sleep(pause_after_error)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
