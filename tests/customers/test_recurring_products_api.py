"""Recurring products at customer and subscription level: list, order, change, end.

Every write runs against the sandbox; the sandbox's request counts show what reached
PayEx, so "refused before going upstream" and "one upstream create" are observed.
"""

import datetime
import uuid

import pytest

from billing_bff.models import AuditLog
from tests.customers import upstream as sandbox_data
from tests.customers.helpers import (
    CUSTOMER_ROUTE,
    SUBSCRIPTION_ROUTE,
    assert_clean_body,
    problem,
    rels,
    upstream,
    writes,
)

POST_SUBSCRIPTION_PRODUCT = upstream("POST", f"{SUBSCRIPTION_ROUTE}/recurring-products")
POST_CUSTOMER_PRODUCT = upstream("POST", f"{CUSTOMER_ROUTE}/recurring-products")
DELETE_SUBSCRIPTION_PRODUCT = upstream(
    "DELETE", f"{SUBSCRIPTION_ROUTE}/recurring-products/{{recurringProductId}}"
)


def products_url(customer_no: str, subscription_no: str | None = None) -> str:
    parent = f"/api/v1/customers/{customer_no}"
    if subscription_no:
        parent += f"/subscriptions/{subscription_no}"
    return f"{parent}/recurring-products"


@pytest.fixture
def line(demo) -> str:
    """An active mobile subscription of anna's customer."""
    return sandbox_data.subscription(demo.family)


def order(client, url: str, code: str = "ADD-ROAM-EU", key: str | None = None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, {"productCode": code, **extra}, format="json", **headers)


def test_the_lists_are_paged_and_carry_the_parents_order_operation(anna, bertil, demo, line):
    for url in (products_url(demo.family), products_url(demo.family, line)):
        body = anna.get(url).json()
        assert set(body) >= {"count", "next", "previous", "results", "meta"}
        assert rels(body) == {"create-recurring-product"}
        assert_clean_body(body, customer_no=demo.family)
        assert rels(bertil.get(url).json()) == set()


def test_three_posts_with_one_key_make_one_product_and_one_upstream_create(
    anna, demo, line, sandbox
):
    key = f"order-{uuid.uuid4().hex}"
    answers = [order(anna, products_url(demo.family, line), key=key) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert [a.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    created = answers[0].json()
    product_id = created["recurringProductId"]
    assert answers[0]["Location"] == f"{products_url(demo.family, line)}/{product_id}"
    assert created["externalReference"] == key  # retry-safe at PayEx as well
    assert created["productCode"] == "ADD-ROAM-EU"
    assert rels(created) == {"partial-update", "delete"}
    assert sandbox.route_count(POST_SUBSCRIPTION_PRODUCT) == 1

    listed = anna.get(products_url(demo.family, line), {"page_size": 200}).json()["results"]
    assert [p["recurringProductId"] for p in listed].count(product_id) == 1
    assert AuditLog.objects.filter(action="subscription.create-recurring-product").count() == 1


def test_the_same_key_with_another_body_is_a_422(anna, demo, line, sandbox):
    key = uuid.uuid4().hex
    assert order(anna, products_url(demo.family, line), key=key).status_code == 201
    response = order(anna, products_url(demo.family, line), "ADD-MUSIC", key=key)
    assert response.status_code == 422
    assert problem(response)["status"] == 422
    assert sandbox.route_count(POST_SUBSCRIPTION_PRODUCT) == 1


def test_an_order_without_a_key_still_sends_an_external_reference(anna, demo, line):
    response = order(anna, products_url(demo.family, line), "ADD-INS", quantity=2)
    assert response.status_code == 201
    body = response.json()
    assert len(body["externalReference"]) == 32
    assert body["quantity"] == 2
    assert body["startDate"] == datetime.date.today().isoformat()


def test_a_customer_level_order_is_listed_at_once(anna, demo, sandbox):
    url = products_url(demo.family)
    anna.get(url)  # cached before the write
    response = order(anna, url, "CUS-INS")
    assert response.status_code == 201, response.content
    product_id = response.json()["recurringProductId"]
    assert response["Location"] == f"{url}/{product_id}"
    listed = anna.get(url, {"page_size": 200}).json()["results"]
    assert product_id in {p["recurringProductId"] for p in listed}
    assert sandbox.route_count(POST_CUSTOMER_PRODUCT) == 1
    entry = AuditLog.objects.get(action="customer.create-recurring-product")
    assert entry.details == {
        "recurringProductId": product_id,
        "productCode": "CUS-INS",
        "subscriptionNo": None,
    }


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("NO-SUCH", "subscription"),  # not in the catalogue
        ("ADD-TV", "subscription"),  # for customer service only
        ("CUS-INS", "subscription"),  # a customer-level product
        ("ADD-SURF10", "customer"),  # a subscription-level product
    ],
)
def test_an_owner_orders_only_from_the_catalogue_at_its_level(
    anna, demo, line, sandbox, code, level
):
    url = products_url(demo.family, line if level == "subscription" else None)
    response = order(anna, url, code)
    assert response.status_code == 400
    assert list(problem(response)["errors"]) == ["productCode"]
    assert writes(sandbox) == {}


def test_inactive_products_cannot_be_ordered(anna, demo, line, sandbox):
    from customers.models import CatalogueProduct

    CatalogueProduct.objects.filter(product_code="ADD-ROAM-EU").update(active=False)
    response = order(anna, products_url(demo.family, line), "ADD-ROAM-EU")
    assert response.status_code == 400
    assert writes(sandbox) == {}


def test_the_upstreams_refusal_comes_back_on_the_product_code(agent, demo, line, sandbox):
    # An agent may order TV, but PayEx only puts it on broadband lines.
    response = order(agent, products_url(demo.family, line), "ADD-TV")
    assert response.status_code == 400
    assert list(problem(response)["errors"]) == ["productCode"]
    assert sandbox.route_count(POST_SUBSCRIPTION_PRODUCT) == 1


def test_bad_order_input_is_refused_before_going_upstream(anna, demo, line, sandbox):
    url = products_url(demo.family, line)
    for body, field in (
        ({"productCode": "ADD-INS", "quantity": 0}, "quantity"),
        ({"productCode": "ADD-INS", "startDate": "2001-01-01"}, "startDate"),
        ({"quantity": 1}, "productCode"),
    ):
        response = anna.post(url, body, format="json")
        assert response.status_code == 400
        assert field in problem(response)["errors"]
    assert writes(sandbox) == {}


@pytest.mark.parametrize("status", ["suspended", "terminated"])
def test_ordering_on_a_line_not_offering_it_is_a_409(agent, demo, sandbox, status):
    number = sandbox_data.subscription(demo.business, status=status)
    response = order(agent, products_url(demo.business, number), "ADD-SURF10")
    assert response.status_code == 409
    assert problem(response)["status"] == 409
    assert writes(sandbox) == {}
    assert not AuditLog.objects.filter(action__contains="create-recurring-product").exists()


def test_a_viewer_may_not_write_and_nothing_reaches_upstream(bertil, demo, line, sandbox):
    product_id = sandbox_data.new_product(demo.family, line)
    sandbox.reset_stats()
    item = f"{products_url(demo.family, line)}/{product_id}"
    assert order(bertil, products_url(demo.family, line)).status_code == 403
    assert order(bertil, products_url(demo.family), "CUS-INS").status_code == 403
    assert bertil.patch(item, {"quantity": 3}, format="json").status_code == 403
    assert bertil.delete(item).status_code == 403
    assert writes(sandbox) == {}
    shown = bertil.get(item).json()
    assert rels(shown) == set()
    assert not AuditLog.objects.exclude(action="customer.open").exists()


def test_a_quantity_change_shows_at_once(anna, demo, line):
    product_id = sandbox_data.new_product(demo.family, line)
    item = f"{products_url(demo.family, line)}/{product_id}"
    assert anna.get(item).json()["quantity"] == 1
    response = anna.patch(item, {"quantity": 3}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == 3
    assert anna.get(item).json()["quantity"] == 3
    listed = anna.get(f"/api/v1/customers/{demo.family}/subscriptions/{line}").json()
    assert {p["recurringProductId"]: p["quantity"] for p in listed["recurringProducts"]}[
        product_id
    ] == 3
    entry = AuditLog.objects.get(action="recurring-product.partial-update")
    assert entry.details == {
        "recurringProductId": product_id,
        "subscriptionNo": line,
        "fields": ["quantity"],
    }


def test_a_planned_end_date_is_kept(anna, demo, line):
    product_id = sandbox_data.new_product(demo.family, line)
    item = f"{products_url(demo.family, line)}/{product_id}"
    end = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    response = anna.patch(item, {"endDate": end}, format="json")
    assert response.status_code == 200
    assert response.json()["endDate"] == end
    assert rels(response.json()) == {"partial-update", "delete"}  # still running


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"endDate": "2001-01-01"}, "endDate"),
        ({"description": "free"}, "description"),
        ({}, "non_field_errors"),
    ],
)
def test_bad_changes_are_refused_by_field(anna, demo, line, sandbox, body, field):
    product_id = sandbox_data.new_product(demo.family, line)
    sandbox.reset_stats()
    response = anna.patch(f"{products_url(demo.family, line)}/{product_id}", body, format="json")
    assert response.status_code == 400
    assert list(problem(response)["errors"]) == [field]
    assert writes(sandbox) == {}


def test_ending_a_product_then_ending_it_again(anna, demo, line, sandbox):
    product_id = sandbox_data.new_product(demo.family, line)
    sandbox.reset_stats()
    item = f"{products_url(demo.family, line)}/{product_id}"
    assert anna.get(item).status_code == 200  # cached while running

    response = anna.delete(item)
    assert response.status_code == 204
    ended = anna.get(item).json()
    assert ended["endDate"] == datetime.date.today().isoformat()
    assert rels(ended) == set()

    again = anna.delete(item)
    assert again.status_code == 409
    assert problem(again)["status"] == 409
    assert anna.patch(item, {"quantity": 2}, format="json").status_code == 409
    assert sandbox.route_count(DELETE_SUBSCRIPTION_PRODUCT) == 1
    assert AuditLog.objects.filter(action="recurring-product.delete").count() == 1


def test_a_delete_with_a_key_is_replayed(anna, demo, sandbox):
    product_id = sandbox_data.new_product(demo.family)
    item = f"{products_url(demo.family)}/{product_id}"
    key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    assert anna.delete(item, **key).status_code == 204
    replay = anna.delete(item, **key)
    assert replay.status_code == 204
    assert replay["Idempotent-Replayed"] == "true"


def test_products_of_another_parent_read_like_missing_ones(anna, demo, line):
    theirs = sandbox_data.new_product(demo.business)
    other_line = sandbox_data.new_product(demo.family, line)  # not customer-level
    answers = []
    for url in (
        f"{products_url(demo.family)}/{theirs}",
        f"{products_url(demo.family)}/{other_line}",
        f"{products_url(demo.family)}/{sandbox_data.MISSING_PRODUCT}",
        f"{products_url(demo.business)}/{theirs}",
    ):
        for method in ("get", "patch", "delete"):
            response = getattr(anna, method)(url, {"quantity": 2}, format="json")
            assert response.status_code == 404, (method, url)
            body = problem(response)
            body.pop("instance")
            answers.append(body)
    assert all(answer == answers[0] for answer in answers)
