import pytest
from django.urls import reverse


def test_healthz_answers_without_touching_the_database(client):
    response = client.get(reverse("core:healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_broker_answer(client):
    response = client.get(reverse("core:readyz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_it_is_down(client, broker_down):
    response = client.get(reverse("core:readyz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert "refused" in body["checks"]["broker"].lower()
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_endpoints_need_no_login_and_refuse_posts(client):
    assert client.post(reverse("core:healthz")).status_code == 405
