"""Small assertions shared by the customer and invoice tests."""

from __future__ import annotations

import json

CUSTOMER_ROUTE = "/billing/customer/v1/{ownerNo}/customers/{customerNo}"
SUBSCRIPTION_ROUTE = f"{CUSTOMER_ROUTE}/subscriptions/{{subscriptionNo}}"


def upstream(method: str, template: str) -> str:
    """A key of the sandbox's stats: "PATCH /billing/customer/v1/{ownerNo}/customers/..."."""
    return f"{method} {template}"


def writes(sandbox) -> dict[str, int]:
    """Upstream calls that could change something, by route template."""
    return {
        route: count
        for route, count in sandbox.stats()["routes"].items()
        if not route.startswith("GET ")
    }


def assert_clean_body(body: object, *, customer_no: str) -> None:
    """No upstream path, no `@id`, no ledger field; every href points at this API."""
    text = json.dumps(body)
    assert "/billing/" not in text
    assert '"@id"' not in text
    assert '"ownerNo"' not in text and '"ledgerNo"' not in text

    def walk(value):
        if isinstance(value, dict):
            for operation in value.get("operations", []) if "operations" in value else []:
                assert set(operation) == {"rel", "method", "href"}
                assert operation["href"].startswith(f"/api/v1/customers/{customer_no}")
                assert operation["method"] == operation["method"].upper()
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body)


def problem(response) -> dict:
    assert response["Content-Type"] == "application/problem+json", response.content
    return response.json()


def rels(body: dict) -> set[str]:
    return {operation["rel"] for operation in body.get("operations", [])}
