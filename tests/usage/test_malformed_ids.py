"""Usage ids that cannot exist are the same 404 as missing ones, never a 400."""

import pytest

from tests.access.actors import bearer, link, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "tail",
    [
        "invoices/%C2%84/usage",
        "invoices/%C2%84/subscriptions/1/usage",
        "invoices/1/subscriptions/%C2%84/usage",
        "subscriptions/%C2%84/usage",
        "subscriptions/a%20b/usage?format=csv",
    ],
)
def test_an_id_that_cannot_be_one_is_a_404_without_an_upstream_call(client, sandbox, tail):
    customer = sandbox.customers()[0]["customerNo"]
    user = make_user("usage-owner")
    link(user, customer, "owner")
    response = client.get(f"/api/v1/customers/{customer}/{tail}", **bearer(user))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert sandbox.stats()["total"] == 0


@pytest.mark.parametrize("invoice_no", ["F", "INV-1"])
def test_an_invoice_number_the_billing_system_calls_malformed_is_a_404(client, sandbox, invoice_no):
    customer = sandbox.customers()[0]["customerNo"]
    user = make_user("usage-owner")
    link(user, customer, "owner")
    for tail in (f"invoices/{invoice_no}/usage", f"invoices/{invoice_no}/subscriptions/1/usage"):
        response = client.get(f"/api/v1/customers/{customer}/{tail}", **bearer(user))
        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/problem+json"
