"""Everything the webhooks app changes: endpoints (audited), events into the outbox, delivery.

Deliveries ride the outbox's machinery (notifications.outbox): a row per event and endpoint in the
transaction of the change, a task after commit, the relay for what is due or lost, retries with
backoff, dead letters. A delivery is a signed POST (signing.py) to the address the SSRF check
(security.py) resolved and allowed, with a short timeout; a 2xx answer is success.
"""

import hashlib
import http.client
import json
import logging
import secrets
import socket
import ssl
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import admin_log
from notifications import outbox, publisher
from notifications.services import notify_managers

from . import events, signing
from .models import WebhookDelivery, WebhookEndpoint
from .security import Destination, UnsafeDestination, destination_check

logger = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.tasks.webhook_deliveries_deliver_task"
# Deliveries per task: each may take WEBHOOK_TIMEOUT_SECONDS, and a task has
# OUTBOX_DELIVERY_SOFT_TIME_LIMIT.
DELIVERY_CHUNK = 2
# What ends a delivery task early (see notifications.services._STOPPED).
_STOPPED = (SoftTimeLimitExceeded, SystemExit, KeyboardInterrupt)
# The answer's first bytes kept in the log when it is not a success.
_ANSWER_KEPT = 300


# --- Endpoints ----------------------------------------------------------------------------


@transaction.atomic
def endpoint_create(*, by: User, url: str, description: str, events: list[str], is_active: bool = True):
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        description=description,
        events=list(events),
        is_active=is_active,
        secret=signing.secret_make(),
        created_by=by,
    )
    admin_log(endpoint, by, ADDITION, "Endpoint added.")
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, by: User, url: str, description: str, events: list[str], is_active: bool
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changes = {"url": url, "description": description, "events": list(events), "is_active": is_active}
    changed = [name for name, value in changes.items() if getattr(endpoint, name) != value]
    if is_active and not endpoint.is_active:
        # Turned back on (after a pause, say): its failures so far no longer count towards one.
        changes |= {"paused_at": None, "failing_since": None}
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=list(changes))
    if changed:
        admin_log(endpoint, by, CHANGE, f"Changed {', '.join(changed)}.")
    return endpoint


@transaction.atomic
def dead_letters_redeliver(
    *, endpoint: WebhookEndpoint, by: User, delivery_id: int | None = None, now: datetime | None = None
) -> int:
    """Give this endpoint's dead letters (or the one named) a fresh set of attempts, delivered
    after commit, each with its own webhook-id as before (a receiver that saw it drops the copy);
    audited. Returns how many."""
    now = now or timezone.now()
    dead = WebhookDelivery.objects.select_for_update().filter(
        endpoint=endpoint, status=WebhookDelivery.Status.DEAD
    )
    if delivery_id is not None:
        dead = dead.filter(pk=delivery_id)
    ids = list(dead.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    WebhookDelivery.objects.filter(pk__in=ids).update(**outbox.fresh_attempts(), enqueued_at=now)
    for chunk in _chunks(ids):
        publisher.publish_after_commit(DELIVER_TASK, chunk)
    what = f"dead letter {ids[0]}" if delivery_id is not None else f"{len(ids)} dead letter(s)"
    admin_log(endpoint, by, CHANGE, f"Delivering {what} again.")
    return len(ids)


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    """A new secret; every delivery from now on, retries included, is signed with it."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = signing.secret_make()
    endpoint.save(update_fields=["secret"])
    admin_log(endpoint, by, CHANGE, "Secret rotated.")
    return endpoint


@transaction.atomic
def endpoint_test_send(
    *, endpoint: WebhookEndpoint, by: User, now: datetime | None = None
) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint alone (whatever it listens to), through the outbox."""
    now = now or timezone.now()
    data = {"endpoint_id": endpoint.pk, "sent_by": by.display_name}
    (delivery,) = _deliveries_create(
        [endpoint], event_id=_event_id(), event_type=events.TEST, data=data, now=now
    )
    admin_log(endpoint, by, CHANGE, "Test event sent.")
    return delivery


# --- Events -------------------------------------------------------------------------------


def event_publish(
    *, event_type: str, data: dict | Callable[[], dict], occasion: str, now: datetime | None = None
) -> int:
    """Queue this event for every active endpoint that listens to it, in the caller's transaction;
    returns how many deliveries were written. `occasion` names it (e.g. "ticket-event:42"): the
    event id derives from it, so publishing it again writes nothing new. `data` may be a function
    that builds it: every ticket change announces an event, and most have no listener."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event_type in endpoint.events
    ]
    if not endpoints:
        return 0
    if callable(data):
        data = data()
    event_id = _event_id(occasion)
    deliveries = _deliveries_create(endpoints, event_id=event_id, event_type=event_type, data=data, now=now)
    return len(deliveries)


def _deliveries_create(
    endpoints: list[WebhookEndpoint], *, event_id: str, event_type: str, data: dict, now: datetime | None
) -> list[WebhookDelivery]:
    """The rows for the endpoints that do not have this event yet, delivered after commit."""
    now = now or timezone.now()
    payload = events.payload(event_type, data, now=now)
    with transaction.atomic():
        known = set(
            WebhookDelivery.objects.filter(event_id=event_id, endpoint__in=endpoints).values_list(
                "endpoint_id", flat=True
            )
        )
        missing = [endpoint for endpoint in endpoints if endpoint.pk not in known]
        # Marked enqueued now: the task goes to the broker after commit; if that publish fails,
        # the relay finds the rows as lost (OUTBOX_REQUEUE_AFTER_SECONDS). A row written meanwhile
        # by another transaction (the unique constraint) is left to that one.
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    payload=payload,
                    enqueued_at=timezone.now(),
                )
                for endpoint in missing
            ],
            ignore_conflicts=True,
        )
        deliveries = list(
            WebhookDelivery.objects.filter(event_id=event_id, endpoint__in=missing, attempts=0).order_by("pk")
        )
    for chunk in _chunks([delivery.pk for delivery in deliveries]):
        publisher.publish_after_commit(DELIVER_TASK, chunk)
    return deliveries


def _event_id(occasion: str | None = None) -> str:
    """msg_ and 26 characters: from the occasion when there is one, so it is the same every time."""
    if occasion is None:
        return "msg_" + secrets.token_hex(13)
    return "msg_" + hashlib.sha256(occasion.encode()).hexdigest()[:26]


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + DELIVERY_CHUNK] for start in range(0, len(ids), DELIVERY_CHUNK)]


# --- Delivery -----------------------------------------------------------------------------


def deliveries_publish_now(delivery_ids: list[int]) -> list[int]:
    """The relay's publish: delivery tasks for these rows; returns the ids that reached the broker."""
    chunks = _chunks(delivery_ids)
    published = publisher.publish_now(DELIVER_TASK, [(chunk,) for chunk in chunks])
    return [delivery_id for chunk in chunks[:published] for delivery_id in chunk]


def webhook_relay(*, now: datetime | None = None) -> int:
    """Hand the broker every delivery that is due: the outbox's relay, over this table."""
    return outbox.relay(WebhookDelivery, deliveries_publish_now, now=now or timezone.now())


def deliveries_deliver(*, delivery_ids: list[int], now: datetime | None = None) -> int:
    """Deliver each of these once; returns how many were accepted (2xx). Claimed first; what a
    stopped task has not delivered is handed back to the relay at once."""
    now = now or timezone.now()
    undelivered = outbox.claim(WebhookDelivery, delivery_ids, now)
    sent = 0
    try:
        while undelivered:
            sent += delivery_deliver(delivery_id=undelivered[0]) is True
            undelivered.pop(0)
    except _STOPPED:
        outbox.hand_back(WebhookDelivery, undelivered, not_before=timezone.now())
        raise
    return sent


def delivery_deliver(*, delivery_id: int) -> bool | float | None:
    """One attempt at a pending, due delivery. True when accepted; when not, the seconds until
    its retry, or None once a dead letter; None when there was nothing to do (delivered already,
    not yet due, gone). The row stays locked through the attempt, so a second task for the same
    delivery waits and then finds it done: an event goes once to an endpoint."""
    with outbox.stop_signals_held(), transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        now = timezone.now()
        if (
            delivery is None
            or delivery.status != WebhookDelivery.Status.PENDING
            or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now)
        ):
            return None
        delivery.attempts += 1
        try:
            code, latency_ms, answer = _post(delivery)
        except _STOPPED:
            raise  # not the endpoint's failure: the row rolls back, its attempt uncounted
        except UnsafeDestination as exc:
            delivery.last_response_code, delivery.last_latency_ms = None, None
            return _failed(delivery, f"Refused: {exc}")
        except (OSError, http.client.HTTPException) as exc:
            delivery.last_response_code, delivery.last_latency_ms = None, None
            return _failed(delivery, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        delivery.last_response_code, delivery.last_latency_ms = code, latency_ms
        if 200 <= code < 300:
            if delivery.endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
            delivery.status = WebhookDelivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.claimed_until = None
            delivery.last_error = ""
            delivery.save(
                update_fields=[
                    "status", "sent_at", "attempts", "claimed_until", "last_error",
                    "last_response_code", "last_latency_ms",
                ]
            )  # fmt: skip
            return True
        return _failed(delivery, f"HTTP {code}: {answer}".strip())


def _failed(delivery: WebhookDelivery, error: str) -> float | None:
    retry_in = outbox.failure_record(
        delivery,
        error,
        now=timezone.now(),
        max_attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        base=settings.WEBHOOK_RETRY_BASE_SECONDS,
        cap=settings.OUTBOX_RETRY_MAX_SECONDS,
    )
    if retry_in is None:
        logger.error(
            "Webhook delivery %s is a dead letter after %s attempts: %s",
            delivery.pk,
            delivery.attempts,
            error,
        )
    else:
        logger.warning("Webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
    delivery.save(update_fields=[*outbox.FAILURE_FIELDS, "last_response_code", "last_latency_ms"])
    _endpoint_failure_record(delivery, dead=retry_in is None)
    return retry_in


def _endpoint_failure_record(delivery: WebhookDelivery, *, dead: bool) -> None:
    """Note when the endpoint began failing; when a delivery dies and it has accepted nothing for
    WEBHOOK_PAUSE_AFTER_HOURS, pause it and tell the managers. Conditional updates: deliveries of
    one endpoint die concurrently, and the pause happens once."""
    now = timezone.now()
    endpoint = delivery.endpoint
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    if not dead:
        return
    paused = WebhookEndpoint.objects.filter(
        pk=endpoint.pk,
        is_active=True,
        failing_since__lte=now - timedelta(hours=settings.WEBHOOK_PAUSE_AFTER_HOURS),
    ).update(is_active=False, paused_at=now)
    if paused:
        logger.error(
            "Webhook endpoint %s paused: nothing accepted since %s.", endpoint.pk, endpoint.failing_since
        )
        endpoint.refresh_from_db(fields=["failing_since", "paused_at"])
        notify_managers(
            key=f"webhook-paused:{endpoint.pk}:{endpoint.paused_at.isoformat()}",
            template="webhooks/endpoint_paused",
            context={"endpoint": endpoint},
            url=endpoint.get_absolute_url(),
            now=now,
        )


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _post(delivery: WebhookDelivery) -> tuple[int, int, str]:
    """POST the signed event to a checked address; (status code, latency in ms, the answer's
    first bytes). Redirects are not followed: a 3xx is a failure like any other."""
    destination = destination_check(delivery.endpoint.url)
    body = body_bytes(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "servicedesk-webhooks/1",
        **signing.headers(
            delivery.endpoint.secret, message_id=delivery.event_id, timestamp=int(time.time()), body=body
        ),
    }
    connection = _connection(destination)
    started = time.monotonic()
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(_ANSWER_KEPT).decode("utf-8", "replace")
    finally:
        connection.close()
    latency_ms = round((time.monotonic() - started) * 1000)
    return response.status, latency_ms, answer


def _connect_checked(destination: Destination, timeout: float) -> socket.socket:
    """A connection to the first of the checked addresses that answers (as socket.create_connection
    tries each address a name resolves to), never to one the check did not see."""
    error: OSError | None = None
    for address in destination.addresses:
        try:
            return socket.create_connection((address, destination.port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses the SSRF check allowed, whatever the name resolves to now."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._destination = destination

    def connect(self) -> None:
        self.sock = _connect_checked(self._destination, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As _PinnedHTTPConnection, with TLS verified against the host name (SNI included)."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(
            destination.host, destination.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._destination = destination

    def connect(self) -> None:
        sock = _connect_checked(self._destination, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(destination: Destination) -> http.client.HTTPConnection:
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    if destination.scheme == "https":
        return _PinnedHTTPSConnection(destination, timeout)
    return _PinnedHTTPConnection(destination, timeout)
