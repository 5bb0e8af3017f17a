from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

TEST_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture(autouse=True)
def _test_email_templates(settings) -> None:
    """Make templates/emails/tests/greeting_* (a test-only e-mail) loadable."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]


@pytest.fixture
def mail_server_down() -> Iterator[None]:
    """A real SMTP backend aimed at a closed port: every send fails with a connection error."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=1
    ):
        yield
