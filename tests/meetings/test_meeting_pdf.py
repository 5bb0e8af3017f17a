"""The meeting as a real PDF: its text, read back with pypdf, holds the period, the GPA and the actions."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports.rollups import rollups_refresh

from ..accounts.factories import AgentFactory
from ..hostile import HOSTILE_INPUTS
from ..surveys.factories import answered_survey
from .factories import action, meeting

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdf_holds_the_period_the_gpa_and_an_action(manager_client, manager):
    for grade in ("A", "C"):
        answered_survey(grade=grade)
    rollups_refresh()
    held = meeting(by=manager)
    action(on=held, owner=AgentFactory(), description="Retrain the night shift on callbacks")

    response = manager_client.get(reverse("meetings:download", args=[held.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _text(response)
    assert held.period.first.strftime("%d %b %Y") in text and held.period.last.strftime("%d %b %Y") in text
    assert "GPA 3.00" in text  # (4 + 2) / 2
    assert "Retrain the night shift on callbacks" in text
    assert len(PdfReader(io.BytesIO(response.content)).pages) <= 2


@pytest.mark.parametrize("text", HOSTILE_INPUTS)
def test_the_pdf_renders_whatever_was_typed(manager_client, manager, text):
    text = text.replace("\0", "")  # the forms refuse NUL (test_meeting_page), so none is stored
    held = meeting(by=manager, notes=text)
    action(on=held, owner=manager, description=text or "-")

    response = manager_client.get(reverse("meetings:download", args=[held.pk]))

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    plain = text.strip()
    if plain.isascii() and plain.isprintable() and 0 < len(plain) < 60:
        assert plain.split()[0] in _text(response)
