"""A property-based run of the mobile API against its own OpenAPI document (schemathesis).

The document is the one /api/schema/ serves (read in-process when this module is
collected, and compared with what the live server serves). Each of its operations is
one test: the BFF runs for real (pytest-django's live_server, over HTTP) on the sandbox,
logged in as the owner of a sandbox customer with a Bearer token from
POST /api/v1/auth/token. Every operation gets its explicit examples and a few
generated cases (valid and invalid ones), and every answer is checked:

  not_a_server_error            no 5xx
  status_code_conformance       the status is one the document lists for the operation
  content_type_conformance      the Content-Type is one it lists for that status
  response_schema_conformance   the body matches the listed schema

Generated customer numbers and ids mostly name nothing (404); to reach real data too,
path parameters are often replaced by the owner's own customer and real ids of it
(`flatmap_path_parameters`). The run is bounded (MAX_EXAMPLES generated cases per
operation, no shrinking) and deterministic (derandomize): a failure repeats on every run.

(schemathesis.pytest.from_fixture would load the document from the live server itself,
but it does not run under pytest 9.2, whose nodes no longer have `_nodeid`.)
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from billing_bff.web.openapi import IDEMPOTENCY_KEY
from tests.access.actors import PASSWORD, link, make_user
from tests.customers.upstream import order_body

MAX_EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def served_document() -> dict:
    # The schema view needs neither the database nor Redis: safe while collecting.
    response = Client().get("/api/schema/", {"format": "json"}, HTTP_HOST="localhost")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


DOCUMENT = served_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture
def owner(live_server, sandbox) -> dict:
    """The owner's Authorization header and real ids of its customer, by parameter name."""
    sandbox.reset_state()
    own = next(c for c in sandbox.customers() if c["subscriptionCount"] >= 2)["customerNo"]
    for code in PRODUCT_CODES.values():
        order_body(code)  # in the catalogue, for owners
    user = make_user("fuzz-owner")
    link(user, own, "owner")
    token = requests.post(
        f"{live_server.url}/api/v1/auth/token",
        json={"username": user.username, "password": PASSWORD},
        timeout=10,
    ).json()["access"]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    base = f"{live_server.url}/api/v1/customers/{own}"

    def ids(path: str, key: str) -> list[str]:
        body = api.get(f"{base}{path}", params={"page_size": 5}, timeout=30).json()
        return [str(item[key]) for item in body["results"]]

    subscriptions = ids("/subscriptions", "subscriptionNo")
    products = [
        product
        for subscription in subscriptions[:2]
        for product in ids(
            f"/subscriptions/{subscription}/recurring-products", "recurringProductId"
        )
    ]
    KNOWN.clear()
    KNOWN.update(
        customerNo=[own],
        subscriptionNo=subscriptions,
        invoiceNo=ids("/invoices", "invoiceNo")[:3],
        recurringProductId=products,
        taskId=[api.post(f"{base}/refresh", timeout=10).json()["taskId"]],
        exportId=[api.post(f"{base}/exports", timeout=10).json()["id"]],
    )
    yield {"Authorization": f"Bearer {token}"}
    sandbox.reset_state()


# Filled by the `owner` fixture before each operation's cases are generated.
KNOWN: dict[str, list[str]] = {}
# Catalogue products owners may order, by level: orders that can succeed.
PRODUCT_CODES = {"customer": "CUS-SEC", "subscription": "ADD-SURF10"}
IDEMPOTENCY_KEY_EXAMPLE = IDEMPOTENCY_KEY.examples[0].value


@schema.hook
def flatmap_path_parameters(context, path_parameters: dict) -> st.SearchStrategy:
    """Often the owner's own customer and real ids instead of the generated ones."""
    path_parameters = path_parameters or {}
    known = {name: st.sampled_from(KNOWN[name]) for name in path_parameters if KNOWN.get(name)}
    if not known:
        return st.just(path_parameters)
    real = st.fixed_dictionaries(known).map(lambda ids: {**path_parameters, **ids})
    return st.one_of(st.just(path_parameters), real, real)


@schema.hook
def flatmap_body(context, body) -> st.SearchStrategy:
    """Orders of a product the catalogue holds, next to the generated product codes."""
    if not (isinstance(body, dict) and "productCode" in body):
        return st.just(body)
    level = "subscription" if "{subscriptionNo}" in context.operation.path else "customer"
    orderable = {k: v for k, v in body.items() if k != "startDate"}  # today, then
    return st.one_of(st.just(body), st.just({**orderable, "productCode": PRODUCT_CODES[level]}))


def test_the_document_is_the_one_the_live_server_serves(live_server):
    served = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert served.json() == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_openapi_document(case, owner, live_server):
    # The document's example Idempotency-Key, sent by every explicit case, made fresh:
    # sent again with another body it would only ever answer 422.
    if case.headers and case.headers.get("Idempotency-Key") == IDEMPOTENCY_KEY_EXAMPLE:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    case.call_and_validate(base_url=live_server.url, headers=owner, checks=CHECKS, timeout=30)
