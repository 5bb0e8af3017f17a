"""Clients of the API as each role, each with a personal token made by the real service."""

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT

from api import services

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory


class ApiClient:
    """A Django test client that sends `Authorization: Bearer <token>` and JSON bodies (or, with
    `upload`, multipart/form-data with files)."""

    def __init__(self, user=None, *, token: str | None = None) -> None:
        self.user = user
        self.token = token or (services.api_token_create(user=user, name="tests").secret if user else None)
        self.client = Client()

    def _headers(self, headers: dict | None) -> dict:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **(headers or {})}

    def get(self, url: str, data: dict | None = None, headers: dict | None = None):
        return self.client.get(url, data, headers=self._headers(headers))

    def post(self, url: str, data: dict | None = None, headers: dict | None = None):
        return self.client.post(
            url, data or {}, content_type="application/json", headers=self._headers(headers)
        )

    def upload(self, url: str, data, headers: dict | None = None, content_type: str = MULTIPART_CONTENT):
        """Fields and files as multipart/form-data (or `data`, a body already encoded as `content_type`)."""
        return self.client.post(url, data, content_type=content_type, headers=self._headers(headers))

    def patch(self, url: str, data: dict | None = None, headers: dict | None = None):
        return self.client.patch(
            url, data or {}, content_type="application/json", headers=self._headers(headers)
        )

    def request(self, method: str, url: str, data: dict | None = None):
        if method == "GET":
            return self.get(url)
        return getattr(self.client, method.lower())(
            url, data or {}, content_type="application/json", headers=self._headers(None)
        )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded files go to a throwaway folder, never var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def json_keys(data) -> set[str]:
    """Every key anywhere in a JSON document (to show a field never reaches someone)."""
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in json_keys(value)}
    if isinstance(data, list):
        return {key for value in data for key in json_keys(value)}
    return set()


@pytest.fixture
def api_customer(customer) -> ApiClient:
    return ApiClient(customer)


@pytest.fixture
def api_other_customer(db) -> ApiClient:
    return ApiClient(CustomerFactory())


@pytest.fixture
def api_agent(agent) -> ApiClient:
    return ApiClient(agent)


@pytest.fixture
def api_manager(manager) -> ApiClient:
    return ApiClient(manager)


@pytest.fixture
def api_anonymous() -> ApiClient:
    return ApiClient()


__all__ = ["AgentFactory", "ApiClient", "CustomerFactory", "ManagerFactory"]
