"""Signatures as Standard Webhooks 1.0 says: checked with that project's own library."""

import base64
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks import signing


def test_a_secret_is_whsec_and_the_base64_of_24_random_bytes():
    first, second = signing.secret_make(), signing.secret_make()

    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 24
    assert first != second


def test_the_standard_webhooks_library_verifies_our_signature():
    secret, body = signing.secret_make(), '{"type":"ticket.created","data":{"title":"Élan ✓"}}'.encode()

    headers = signing.headers(secret, message_id="msg_abc", timestamp=int(time.time()), body=body)

    assert Webhook(secret).verify(body, headers)["type"] == "ticket.created"


def test_the_library_refuses_a_changed_body_another_secret_and_an_old_timestamp():
    secret, body = signing.secret_make(), b'{"type":"ticket.created"}'
    now = int(time.time())
    headers = signing.headers(secret, message_id="msg_abc", timestamp=now, body=body)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"type":"ticket.deleted"}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.secret_make()).verify(body, headers)
    stale = signing.headers(secret, message_id="msg_abc", timestamp=now - 6 * 60, body=body)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, stale)


def test_the_signature_is_the_hmac_of_id_timestamp_and_body_under_the_decoded_key():
    import hashlib
    import hmac

    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    expected = base64.b64encode(hmac.new(b"k" * 24, b"msg_1.1700000000.{}", hashlib.sha256).digest()).decode()

    assert signing.signature(secret, message_id="msg_1", timestamp=1700000000, body=b"{}") == f"v1,{expected}"
