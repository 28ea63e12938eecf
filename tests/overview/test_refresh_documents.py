"""customers.services.refresh_customer_documents: the background refresh's reload."""

import uuid

import requests
from django.conf import settings

from billing_bff.access import system_access
from overview.services import refresh_customer_documents
from tests.customers.helpers import CUSTOMER_ROUTE, upstream


def test_it_reloads_what_the_pages_read_first(anna, demo, sandbox):
    stale_email = anna.get(f"/api/v1/customers/{demo.family}").json()["emailAddress"]
    # A change made at PayEx, not through the BFF: the cached copy does not know it.
    email = f"elsewhere-{uuid.uuid4().hex[:8]}@example.com"
    requests.patch(
        f"{sandbox.billing_url('customer', f'/customers/{demo.family}')}",
        json={"emailAddress": email},
        headers=sandbox.headers,
        timeout=10,
    ).raise_for_status()
    assert anna.get(f"/api/v1/customers/{demo.family}").json()["emailAddress"] == stale_email

    sandbox.reset_stats()
    refresh_customer_documents(access=system_access(settings.PAYEX_OWNER_NO, demo.family))
    routes = sandbox.stats()["routes"]
    assert routes == {
        upstream("GET", CUSTOMER_ROUTE): 1,
        upstream("GET", f"{CUSTOMER_ROUTE}/subscriptions"): 1,
        upstream("GET", f"{CUSTOMER_ROUTE}/recurring-products"): 1,
        upstream("GET", "/billing/invoice/v1/{ownerNo}/customers/{customerNo}/invoices"): 1,
    }

    body = anna.get(f"/api/v1/customers/{demo.family}").json()
    assert body["emailAddress"] == email
    assert body["meta"]["source"] == "cache"
    for path in ("subscriptions", "recurring-products", "invoices"):
        assert anna.get(f"/api/v1/customers/{demo.family}/{path}").status_code == 200
    assert sandbox.stats()["total"] == 4  # everything above came from the refreshed cache
