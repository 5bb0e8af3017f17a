from collections.abc import Iterator

import pytest
from django.test import override_settings


@pytest.fixture
def mail_server_down() -> Iterator[None]:
    """A real SMTP backend aimed at a closed port: every connection is refused."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=1
    ):
        yield


@pytest.fixture
def mail_server_refuses_bob() -> Iterator[None]:
    """A mail server that refuses the recipient bob@example.com (the e-mail's fault, not its own)."""
    with override_settings(EMAIL_BACKEND="tests.notifications.mail_backends.RefusesBob"):
        yield
