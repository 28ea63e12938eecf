"""Fault injection, its control endpoint, and the request stats."""

import json
import time

import pytest
import requests

from tests.fixtures.sandbox import running_sandbox

from .conftest import assert_problem

CUSTOMER_ROUTE = "GET /billing/customer/v1/{ownerNo}/customers/{customerNo}"


@pytest.fixture
def customer_path(catalogue):
    return f"/customers/{catalogue['all'][0]['customerNo']}"


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_faults_start_from_the_environment_defaults(sandbox):
    assert sandbox.faults() == {
        "latencyMs": 0, "jitterMs": 0, "errorRate": 0.0, "errorStatus": 503, "hangRate": 0.0,
        "malformedRate": 0.0, "tokenExpired": False,
    }  # fmt: skip


def test_post_changes_only_the_named_keys_and_reset_restores(sandbox):
    changed = sandbox.faults(latencyMs=5, errorStatus=500)
    assert changed["latencyMs"] == 5 and changed["errorStatus"] == 500
    assert changed["errorRate"] == 0.0 and changed["tokenExpired"] is False
    assert sandbox.faults() == changed
    assert sandbox.reset_faults()["latencyMs"] == 0
    assert sandbox.faults()["errorStatus"] == 503


@pytest.mark.parametrize(
    "body",
    [{"latencyMs": -1}, {"errorRate": 1.5}, {"tokenExpired": "yes"}, {"errorStatus": 404},
     {"hangRate": True}, {"colour": "red"}],
)  # fmt: skip
def test_bad_fault_settings_are_refused_whole(sandbox, body):
    response = requests.post(
        f"{sandbox.url}/_sandbox/faults", json={"latencyMs": 7, **body}, timeout=10
    )
    assert response.status_code == 400
    problem = response.json()
    assert [next(iter(p)) for p in problem["Problems"]] == list(body)
    assert sandbox.faults()["latencyMs"] == 0  # nothing applied


def test_latency(api, sandbox, customer_path):
    sandbox.faults(latencyMs=400)
    response, elapsed = timed(lambda: api.get("customer", customer_path))
    assert response.status_code == 200
    assert elapsed >= 0.4


@pytest.mark.parametrize(
    ("status", "code"), [(503, "service-unavailable"), (500, "internal-error")]
)
def test_error_rate_answers_the_error_status(api, sandbox, customer_path, status, code):
    sandbox.faults(errorRate=1, errorStatus=status)
    response = api.get("customer", customer_path)
    assert_problem(response, status, "customer", code)
    # The control API is never faulted.
    assert requests.get(f"{sandbox.url}/_sandbox/customers", timeout=10).status_code == 200


def test_malformed_rate_answers_200_with_a_body_that_is_not_json(api, sandbox, customer_path):
    sandbox.faults(malformedRate=1)
    response = api.get("customer", customer_path)
    assert response.status_code == 200
    assert response.content
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_hang_outlasts_a_client_timeout(api, sandbox, customer_path):
    sandbox.faults(hangRate=1)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        api.get("customer", customer_path, timeout=1)
    assert time.monotonic() - started < 5
    sandbox.reset_faults()
    # The hanging request holds one thread; the others keep serving.
    assert api.get("customer", customer_path, timeout=5).status_code == 200


def test_a_hang_answers_after_sandbox_hang_seconds():
    with running_sandbox(SANDBOX_HANG_SECONDS="1", SANDBOX_HANG_RATE="1",
                         SANDBOX_CUSTOMERS="5") as short:  # fmt: skip
        assert short.faults()["hangRate"] == 1.0
        number = short.customers()[0]["customerNo"]
        url = short.billing_url("customer", f"/customers/{number}")
        response, elapsed = timed(lambda: requests.get(url, headers=short.headers, timeout=10))
        assert response.status_code == 200
        assert 1.0 <= elapsed < 5
        # Reset goes back to the start-up settings, which include the hang.
        short.faults(hangRate=0)
        assert short.reset_faults()["hangRate"] == 1.0


def test_stats_count_by_method_and_route_template_including_faulted(api, sandbox, catalogue):
    first, second = (c["customerNo"] for c in catalogue["all"][:2])
    api.get("customer", f"/customers/{first}")
    api.get("customer", f"/customers/{second}")
    api.call("PATCH", "customer", f"/customers/{first}", json={"colour": "red"})
    api.get("usage", f"/customers/{first}")
    sandbox.faults(errorRate=1)
    api.get("customer", f"/customers/{first}")
    api.get("customer", "/customers/1/unknown/route")
    sandbox.reset_faults()

    stats = sandbox.stats()
    assert stats["routes"] == {
        CUSTOMER_ROUTE: 3,
        "PATCH /billing/customer/v1/{ownerNo}/customers/{customerNo}": 1,
        "GET /billing/usage/v1/{ownerNo}/customers/{customerNo}": 1,
        "GET (unknown route)": 1,
    }
    assert stats["total"] == 6
    assert sandbox.route_count(CUSTOMER_ROUTE) == 3
    assert sandbox.reset_stats() == {"total": 0, "routes": {}}
    assert sandbox.route_count(CUSTOMER_ROUTE) == 0


def test_stats_count_every_template_separately(api, sandbox, catalogue):
    number = catalogue["big"]["customerNo"]
    invoice = api.ok("invoice", f"/customers/{number}/invoices")["invoices"][0]["invoiceNo"]
    api.get("usage", f"/invoices/{invoice}")
    api.get("usage", f"/invoices/{invoice}")
    routes = sandbox.stats()["routes"]
    assert routes["GET /billing/invoice/v1/{ownerNo}/customers/{customerNo}/invoices"] == 1
    assert routes["GET /billing/usage/v1/{ownerNo}/invoices/{invoiceNo}"] == 2
