"""Helpers for the sandbox's contract tests: an authenticated client and lookups."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PROBLEM_KEYS = {"Type", "Title", "Status", "Instance", "Detail"}


class Api:
    """Calls the Billing APIs of a sandbox with its token unless told otherwise."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def url(self, api: str, path: str, owner_no: str | None = None) -> str:
        return self.sandbox.billing_url(api, path, owner_no)

    def call(self, method, api, path, *, token=..., owner_no=None, timeout=60, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if token is ...:
            token = self.sandbox.token
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        return requests.request(
            method, self.url(api, path, owner_no), headers=headers, timeout=timeout, **kwargs
        )

    def get(self, api, path, **kwargs):
        return self.call("GET", api, path, **kwargs)

    def follow(self, href: str, method: str = "GET", **kwargs):
        """Call a path the API handed out ("@id", "href", links)."""
        headers = {"Authorization": f"Bearer {self.sandbox.token}", **kwargs.pop("headers", {})}
        return requests.request(
            method, self.sandbox.url + href, headers=headers, timeout=60, **kwargs
        )

    def ok(self, api, path, **kwargs) -> dict:
        response = self.get(api, path, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        return response.json()


@pytest.fixture
def api(sandbox):
    return Api(sandbox)


@pytest.fixture(scope="module", autouse=True)
def fresh_state(sandbox):
    """Each module here starts from the generated data, whatever other suites wrote."""
    sandbox.reset_state()


@pytest.fixture(scope="session")
def catalogue(sandbox):
    """The sandbox's customer list and a few customers picked for their shape."""
    customers = sandbox.customers()
    big = next(c for c in customers if c["bigUnbilledSubscription"])
    return {"all": customers, "big": big, "by_no": {c["customerNo"]: c for c in customers}}


def assert_problem(response, status: int, api: str, code: str) -> dict:
    """The response is PayEx's problem document for `code`."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["Type"] == f"billing/{api}/problems/{code}", body["Type"]
    assert body["Status"] == status
    assert uuid.UUID(body["Instance"]).version == 4
    assert body["Title"] and body["Detail"]
    return body


def problem_fields(body: dict) -> set[str]:
    return {name for entry in body["Problems"] for name in entry}


def stockholm_now() -> datetime:
    return datetime.now(STOCKHOLM)


def op(resource: dict, rel: str) -> dict | None:
    return next((o for o in resource["operations"] if o["rel"] == rel), None)
