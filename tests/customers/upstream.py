"""Reading and arranging sandbox data straight over its HTTP API, for test set-up only.

Tests arrange their world here (a subscription in a given state, a fresh recurring
product) and then act through the BFF; the BFF itself never uses this.
"""

from __future__ import annotations

import uuid

import requests
from django.conf import settings

TIMEOUT = (3.05, 10)
MISSING_SUBSCRIPTION = "46700000000"
MISSING_PRODUCT = "999999999"
MISSING_INVOICE = "8999999999"


def _url(api: str, path: str) -> str:
    return f"{settings.PAYEX_BASE_URL}/billing/{api}/v1/{settings.PAYEX_OWNER_NO}{path}"


def _headers() -> dict:
    return {"Authorization": f"Bearer {settings.PAYEX_TOKEN}"}


def get(api: str, path: str) -> dict:
    response = requests.get(_url(api, path), headers=_headers(), timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


def subscriptions(customer_no: str) -> list[dict]:
    return get("customer", f"/customers/{customer_no}/subscriptions")["subscriptions"]


def subscription(customer_no: str, *, status: str = "active", mobile: bool = True) -> str:
    """The number of the customer's first subscription in `status` (a mobile one)."""
    for item in subscriptions(customer_no):
        number = item["subscriptionNo"]
        if item["status"] == status and (not mobile or number.startswith("46")):
            return number
    raise LookupError(f"customer {customer_no} has no {status} subscription")


def invoices(customer_no: str) -> list[dict]:
    return get("invoice", f"/customers/{customer_no}/invoices")["invoices"]


def products(customer_no: str, subscription_no: str | None = None) -> list[dict]:
    parent = f"/customers/{customer_no}"
    if subscription_no is not None:
        parent += f"/subscriptions/{subscription_no}"
    return get("customer", f"{parent}/recurring-products")["recurringProducts"]


def new_product(customer_no: str, subscription_no: str | None = None) -> str:
    """A fresh running recurring product, created at the sandbox; its id."""
    parent = f"/customers/{customer_no}"
    if subscription_no is not None:
        parent += f"/subscriptions/{subscription_no}"
    body = {
        "productCode": "ADD-SURF10" if subscription_no else "CUS-SEC",
        "quantity": 1,
        "startDate": "2020-01-01",
        "externalReference": uuid.uuid4().hex,
    }
    response = requests.post(
        _url("customer", f"{parent}/recurring-products"),
        json=body,
        headers=_headers(),
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return response.json()["recurringProductId"]


# --- value providers of tests/test_permission_matrix.py ---------------------------------
# The matrix calls a provider per request with (world, customer number or None for the
# "missing" target); each test there covers one route, on a fresh world. Placeholders
# are filled left to right, so a route with a subscriptionNo has it filled before its
# recurringProductId: the world remembers that, and the product is made under it.
def matrix_subscription(world, customer_no: str | None) -> str:
    world.__dict__["subscription_route"] = True
    if customer_no is None:
        return MISSING_SUBSCRIPTION
    found = world.__dict__.setdefault("subscriptions", {})
    if customer_no not in found:
        found[customer_no] = subscription(customer_no)
    return found[customer_no]


def matrix_product(world, customer_no: str | None) -> str:
    if customer_no is None:
        return MISSING_PRODUCT
    parent = None
    if world.__dict__.get("subscription_route"):
        parent = matrix_subscription(world, customer_no)
    # A fresh product per request: a DELETE or PATCH before must not decide this one.
    return new_product(customer_no, parent)


def matrix_invoice(world, customer_no: str | None) -> str:
    if customer_no is None:
        return MISSING_INVOICE
    found = world.__dict__.setdefault("invoices", {})
    if customer_no not in found:
        found[customer_no] = invoices(customer_no)[0]["invoiceNo"]
    return found[customer_no]


def order_body(product_code: str) -> dict:
    """An order of a catalogue product owners may order (created if missing)."""
    from decimal import Decimal

    from customers.models import CatalogueProduct

    level = "subscription" if product_code.startswith("ADD-") else "customer"
    CatalogueProduct.objects.get_or_create(
        product_code=product_code,
        defaults={
            "name_sv": product_code,
            "name_en": product_code,
            "unit_price": Decimal("10.00"),
            "level": level,
        },
    )
    return {"productCode": product_code, "quantity": 1}
