"""Every problem type of the contract, and the token rules."""

import pytest

from .conftest import assert_problem, problem_fields


@pytest.fixture(scope="module")
def shapes(sandbox, catalogue):
    """Numbers to aim at: the big customer, its terminated and broadband subscriptions,
    an invoice of it, and an invoice of a customer without any usage."""
    from .conftest import Api

    api = Api(sandbox)
    big = catalogue["big"]["customerNo"]
    subscriptions = api.ok("customer", f"/customers/{big}/subscriptions")["subscriptions"]
    broadband_only = next(
        c["customerNo"]
        for c in catalogue["all"]
        if c["subscriptionCount"] == 1
        and api.ok("customer", f"/customers/{c['customerNo']}/subscriptions")["subscriptions"][0][
            "subscriptionNo"
        ].startswith("BB")
    )
    return {
        "big": big,
        "terminated": next(s for s in subscriptions if s["status"] == "terminated"),
        "broadband": next(s for s in subscriptions if s["subscriptionNo"].startswith("BB")),
        "invoice": api.ok("invoice", f"/customers/{big}/invoices")["invoices"][0]["invoiceNo"],
        "no_usage_invoice": api.ok("invoice", f"/customers/{broadband_only}/invoices")["invoices"][
            0
        ]["invoiceNo"],
    }


def test_validation(api, shapes):
    response = api.call(
        "PATCH", "customer", f"/customers/{shapes['big']}", json={"emailAddress": "nope"}
    )
    body = assert_problem(response, 400, "customer", "validation")
    assert body["Problems"] == [{"emailAddress": "Not a valid email address"}]


@pytest.mark.parametrize(
    ("api_name", "path"),
    [
        ("customer", "/customers/1000000"),
        ("invoice", "/customers/1000000/invoices"),
        ("usage", "/customers/1000000"),
    ],
)
def test_customer_not_found(api, api_name, path):
    assert_problem(api.get(api_name, path), 404, api_name, "customer-not-found")


def test_subscription_not_found_in_the_customer_api(api, shapes):
    response = api.get("customer", f"/customers/{shapes['big']}/subscriptions/46700000000")
    assert_problem(response, 404, "customer", "subscription-not-found")


def test_subscription_not_found_is_spelled_with_a_space_in_the_usage_api(api, shapes):
    unbilled = api.get("usage", f"/customers/{shapes['big']}/subscriptions/46700000000")
    billed = api.get("usage", f"/invoices/{shapes['invoice']}/subscriptions/46700000000")
    for response in (unbilled, billed):
        assert_problem(response, 404, "usage", "subscription-not found")


def test_invoice_not_found(api, shapes):
    in_invoice_api = api.get("invoice", f"/customers/{shapes['big']}/invoices/8000000001")
    in_usage_api = api.get("usage", "/invoices/8000000001")
    assert_problem(in_invoice_api, 404, "invoice", "invoice-not-found")
    assert_problem(in_usage_api, 404, "usage", "invoice-not-found")


def test_invoice_has_no_usage(api, shapes):
    whole_invoice = api.get("usage", f"/invoices/{shapes['no_usage_invoice']}")
    broadband = shapes["broadband"]["subscriptionNo"]
    one_subscription = api.get("usage", f"/invoices/{shapes['invoice']}/subscriptions/{broadband}")
    assert_problem(whole_invoice, 404, "usage", "invoice-has-no-usage")
    assert_problem(one_subscription, 404, "usage", "invoice-has-no-usage")


def test_recurring_product_not_found(api, shapes):
    response = api.get("customer", f"/customers/{shapes['big']}/recurring-products/99999999")
    assert_problem(response, 404, "customer", "recurring-product-not-found")


def test_conflict(api, shapes):
    terminated = shapes["terminated"]
    response = api.follow(
        terminated["recurringProducts"],
        "POST",
        json={"productCode": "ADD-SURF10", "startDate": "2030-01-01"},
    )
    assert_problem(response, 409, "customer", "conflict")


def test_malformed_path_ids_are_validation_problems(api):
    response = api.get("invoice", "/customers/abc/invoices")
    body = assert_problem(response, 400, "invoice", "validation")
    assert problem_fields(body) == {"customerNo"}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer someone-elses-token", "Basic c2FuZGJveC01MDE=", "Bearer"],
    ids=["missing", "unknown", "wrong-scheme", "empty"],
)
def test_missing_or_unknown_token_is_token_invalid(api, shapes, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get("customer", f"/customers/{shapes['big']}", token=None, headers=headers)
    assert_problem(response, 401, "customer", "token-invalid")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token(api, sandbox, shapes):
    sandbox.faults(tokenExpired=True)
    for api_name, path in [
        ("customer", f"/customers/{shapes['big']}"),
        ("usage", f"/invoices/{shapes['invoice']}"),
    ]:
        assert_problem(api.get(api_name, path), 401, api_name, "token-expired")


def test_valid_token_for_another_ledger_is_owner_mismatch(api, shapes):
    response = api.get("invoice", f"/customers/{shapes['big']}/invoices", owner_no="502")
    assert_problem(response, 401, "invoice", "owner-mismatch")


def test_each_problem_has_its_own_instance(api):
    first = api.get("customer", "/customers/1000000").json()["Instance"]
    second = api.get("customer", "/customers/1000000").json()["Instance"]
    assert first != second
