"""The schema against the API itself (schemathesis): for every operation, requests generated from
the schema (valid ones, on a real ticket, customer, file or survey, and invalid ones), made with a
customer's, an agent's and a manager's token, get no 5xx and answers that match the schema
(status codes, content types, bodies, headers).

Each operation is an ordinary test (not schemathesis's own pytest parametrisation, whose
failures pytest-xdist reports as passes)."""

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import services
from surveys.tokens import survey_token_make
from tickets.models import Attachment

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..knowledge.factories import ArticleFactory
from ..surveys.factories import resolved_ticket
from ..tickets.factories import ServiceFactory, TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

_document = SchemaGenerator().get_schema(request=None, public=True)
SCHEMA = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(_document)))
SCHEMA.app = get_wsgi_application()  # in-process, in the test's own database transaction
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.fixture
def world(settings) -> Iterator[dict]:
    settings.API_THROTTLE_RATE = "100000/min"
    customer, agent, manager = CustomerFactory(), AgentFactory(), ManagerFactory()
    ticket = TicketFactory(customer=customer, service=ServiceFactory())
    message = TicketMessageFactory(ticket=ticket)
    attachment = Attachment.objects.create(
        ticket=ticket,
        message=message,
        uploaded_by=customer,
        file=SimpleUploadedFile("photo.png", b"png"),
        original_name="photo.png",
        content_type="image/png",
        size=3,
        created_at=timezone.now(),
    )
    survey = resolved_ticket(customer=customer).surveys.get()
    # As Django's test client does: a request's end must not close the test's connection (and
    # with it the transaction the test runs in).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {
            "ticket": ticket,
            "customer": customer,
            "attachment": attachment,
            "survey": survey,
            "article": ArticleFactory(),
            "tokens": [
                services.api_token_create(user=user, name="schemathesis").secret
                for user in (customer, agent, manager)
            ],
        }
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_is_checked():
    assert len(OPERATIONS) == 23


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_api_keeps_to_its_schema(world, label, mode):
    operation = OPERATIONS[label]
    # Valid requests go to real rows (an id drawn at random is a 404 almost every time).
    real = {
        "/api/v1/customers/": world["customer"],
        "/api/v1/attachments/": world["attachment"],
        "/api/v1/surveys/by-id/": world["survey"],
        "/api/v1/articles/": world["article"],
    }.get(operation.path.rsplit("{", 1)[0], world["ticket"])
    on_real = None
    if mode is GenerationMode.POSITIVE and "{id}" in operation.path:
        on_real = {"id": real.pk}
    elif mode is GenerationMode.POSITIVE and "{token}" in operation.path:
        on_real = {"token": survey_token_make(world["survey"])}

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=on_real))
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        for token in world["tokens"]:
            # Not positive_data_acceptance: a schema-valid id may name no row, and the 400 is right.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
            )

    check()
