"""Bad bodies never answer 500: too large is 413, too deep is 400, and neither leaves a
traceback in the log. Over the real stack (the sandbox over HTTP, the test database)."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.test import Client, RequestFactory

from billing_bff.problems import exception_handler
from billing_bff.web.errors import bad_request
from billing_bff.web.parsers import MAX_JSON_DEPTH
from tests.customers import upstream as sandbox_data
from tests.customers.helpers import problem, writes
from tests.customers.test_pages import browser, post

DEEP = "[" * 10_000 + "]" * 10_000


def nested(depth: int) -> str:
    """An object `depth` levels deep: {"a": {"a": ... {} ...}}."""
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


def too_large() -> str:
    return json.dumps({"emailAddress": "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})


@pytest.fixture
def routes(demo):
    """(method, url) of the writes an operator found answering 500."""
    line = sandbox_data.subscription(demo.family)
    customer = f"/api/v1/customers/{demo.family}"
    return [
        ("post", "/api/v1/auth/token"),
        ("patch", customer),
        ("post", f"{customer}/subscriptions/{line}/recurring-products"),
        ("post", f"{customer}/recurring-products"),
    ]


def send(client, method: str, url: str, body: str):
    return getattr(client, method)(url, body, content_type="application/json")


def assert_quiet(caplog) -> None:
    """Nothing at ERROR, and no record carrying a traceback."""
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [(r.name, r.getMessage()) for r in loud]


@pytest.mark.parametrize("body", [DEEP, nested(MAX_JSON_DEPTH + 1)], ids=["10000", "limit+1"])
def test_a_body_nested_too_deep_is_a_400_problem(anna, routes, sandbox, caplog, body):
    before = writes(sandbox)
    for method, url in routes:
        response = send(anna, method, url, body)
        assert response.status_code == 400, (url, response.content[:200])
        assert problem(response)["type"] == "/problems/malformed-request"
    assert writes(sandbox) == before
    assert_quiet(caplog)


def test_a_body_at_the_depth_limit_is_read_as_usual(anna, demo):
    # Parsed, then refused by field like any body of the wrong shape: not malformed.
    body = json.dumps({"emailAddress": json.loads(nested(MAX_JSON_DEPTH - 1))})
    response = send(anna, "patch", f"/api/v1/customers/{demo.family}", body)
    assert response.status_code == 400
    assert problem(response)["type"] == "/problems/validation"


def test_a_body_over_the_size_limit_is_a_413_problem(anna, routes, sandbox, caplog):
    before = writes(sandbox)
    body = too_large()
    for method, url in routes:
        response = send(anna, method, url, body)
        assert response.status_code == 413, (url, response.content[:200])
        assert problem(response)["type"] == "/problems/payload-too-large"
        assert problem(response)["status"] == 413
    assert writes(sandbox) == before
    assert_quiet(caplog)


def test_a_form_post_too_large_is_the_sites_413_page(demo, caplog):
    client = browser(demo.anna, "en")
    response = post(client, "/profile/", {"action": "profile", "emailAddress": too_large()})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "What you sent is too large" in response.content.decode()
    assert_quiet(caplog)


def test_a_form_post_too_large_without_login_is_the_413_page_too(db, caplog):
    client = Client()
    response = client.post("/login/", {"username": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert response.status_code == 413
    assert "413" in response.content.decode()
    assert_quiet(caplog)


def test_djangos_own_refusal_of_a_large_body_is_413_in_and_outside_drf(db):
    # The body arrives without a length the middleware could judge: Django refuses it
    # on reading, and both error paths still answer 413.
    api = exception_handler(RequestDataTooBig("too big"), {})
    assert api.status_code == 413
    assert api.data["type"] == "/problems/payload-too-large"
    page = bad_request(RequestFactory().post("/profile/"), RequestDataTooBig("too big"))
    assert page.status_code == 413
    json_page = bad_request(RequestFactory().post("/api/v1/auth/token"), RequestDataTooBig("x"))
    assert json_page.status_code == 413
    assert json_page["Content-Type"] == "application/problem+json"
