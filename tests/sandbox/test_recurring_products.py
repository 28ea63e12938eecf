"""Recurring products: creation, idempotency, state-dependent operations, PATCH and DELETE."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from .conftest import assert_problem, op, problem_fields, stockholm_now

# Customers these tests write to, by position in the sandbox's list; other modules read
# other customers, so the writes here cannot change what they see.
WRITER = 20


@pytest.fixture(scope="module")
def writer(sandbox, catalogue):
    from .conftest import Api

    api = Api(sandbox)
    number = catalogue["all"][WRITER]["customerNo"]
    big = catalogue["big"]["customerNo"]
    big_subscriptions = api.ok("customer", f"/customers/{big}/subscriptions")["subscriptions"]
    return {
        "customer": api.ok("customer", f"/customers/{number}"),
        "big": big,
        "big_subscriptions": big_subscriptions,
    }


def reference() -> str:
    return f"test-{uuid.uuid4()}"


def post(api, href, body):
    return api.follow(href, "POST", json=body)


def test_create_answers_201_with_location_of_the_new_product(api, writer):
    href = writer["customer"]["recurringProducts"]
    body = {"productCode": "CUS-INS", "quantity": 2, "startDate": "2031-01-01",
            "externalReference": reference()}  # fmt: skip
    response = post(api, href, body)

    assert response.status_code == 201, response.text
    product = response.json()
    assert response.headers["Location"] == product["@id"]
    assert product["productCode"] == "CUS-INS"
    assert product["quantity"] == 2
    assert product["unitPrice"] == "63.20"  # the product list's price
    assert product["description"] == "Home electronics insurance"
    assert product["startDate"] == "2031-01-01" and product["endDate"] is None
    assert api.follow(product["@id"]).json() == product
    listed = api.follow(href).json()["recurringProducts"]
    assert product in listed


def test_repeating_a_post_with_the_same_reference_and_body_returns_the_same_product(api, writer):
    href = writer["customer"]["recurringProducts"]
    body = {"productCode": "CUS-SEC", "startDate": "2031-02-01", "unitPrice": "40.00",
            "description": "Security", "externalReference": reference()}  # fmt: skip
    first = post(api, href, body)
    again = post(api, href, body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()


def test_same_reference_with_a_different_body_is_a_conflict(api, writer):
    href = writer["customer"]["recurringProducts"]
    body = {"productCode": "CUS-SEC", "startDate": "2031-03-01", "externalReference": reference()}
    assert post(api, href, body).status_code == 201

    response = post(api, href, {**body, "quantity": 3})
    assert_problem(response, 409, "customer", "conflict")


def test_ten_concurrent_identical_posts_create_one_product(api, writer):
    subscription = next(
        s for s in writer["big_subscriptions"]
        if s["status"] == "active" and s["subscriptionNo"].startswith("46")
        and s["productCode"].startswith("MOB")
    )  # fmt: skip
    body = {"productCode": "ADD-INS", "startDate": "2031-04-01", "externalReference": reference()}
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(
            pool.map(lambda _: post(api, subscription["recurringProducts"], body), range(10))
        )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201]
    assert len({r.json()["recurringProductId"] for r in responses}) == 1
    listed = api.follow(subscription["recurringProducts"]).json()["recurringProducts"]
    assert [p["externalReference"] for p in listed].count(body["externalReference"]) == 1


def test_post_reports_every_bad_field(api, writer):
    href = writer["customer"]["recurringProducts"]
    response = post(api, href, {"productCode": "NOPE", "quantity": 0, "unitPrice": "1.234",
                                "endDate": "2031-01-01", "colour": "red"})  # fmt: skip

    body = assert_problem(response, 400, "customer", "validation")
    assert problem_fields(body) == {
        "productCode", "quantity", "unitPrice", "endDate", "colour", "startDate",
    }  # fmt: skip


def test_subscription_products_must_suit_the_subscription(api, writer):
    broadband = next(s for s in writer["big_subscriptions"] if s["subscriptionNo"][:2] == "BB")
    response = post(api, broadband["recurringProducts"],
                    {"productCode": "ADD-ROAM-EU", "startDate": "2031-01-01"})  # fmt: skip
    body = assert_problem(response, 400, "customer", "validation")
    assert problem_fields(body) == {"productCode"}


def test_subscription_operations_follow_its_status(api, writer):
    by_status = {s["status"]: s for s in writer["big_subscriptions"]}

    assert op(by_status["active"], "create-recurring-product")["method"].upper() == "POST"
    assert by_status["terminated"]["operations"] == []
    assert by_status["suspended"]["operations"] == []
    for status in ("terminated", "suspended"):
        response = post(api, by_status[status]["recurringProducts"],
                        {"productCode": "ADD-INS", "startDate": "2031-01-01"})  # fmt: skip
        assert_problem(response, 409, "customer", "conflict")


def test_ended_product_offers_nothing_and_refuses_writes(api, writer):
    listing = api.ok("customer", f"/customers/{writer['big']}/recurring-products")
    today = stockholm_now().date()
    ended = next(
        p for p in listing["recurringProducts"]
        if p["endDate"] and date.fromisoformat(p["endDate"]) <= today
    )  # fmt: skip
    running = next(p for p in listing["recurringProducts"] if p["endDate"] is None)

    assert ended["operations"] == []
    assert {o["rel"] for o in running["operations"]} == {"partial-update", "delete"}
    assert_problem(api.follow(ended["@id"], "DELETE"), 409, "customer", "conflict")
    assert_problem(
        api.follow(ended["@id"], "PATCH", json={"quantity": 2}), 409, "customer", "conflict"
    )


def test_delete_ends_the_product_today_and_its_operations_shrink(api, writer):
    href = writer["customer"]["recurringProducts"]
    created = post(api, href, {"productCode": "CUS-SEC", "startDate": "2020-01-01"}).json()
    assert {o["rel"] for o in created["operations"]} == {"partial-update", "delete"}

    deleted = api.follow(created["@id"], "DELETE")
    assert deleted.status_code == 204 and deleted.content == b""
    after = api.follow(created["@id"]).json()
    assert after["endDate"] == stockholm_now().date().isoformat()
    assert after["operations"] == []
    assert_problem(api.follow(created["@id"], "DELETE"), 409, "customer", "conflict")


def test_delete_of_a_product_not_yet_started_ends_it_on_its_start_date(api, writer):
    href = writer["customer"]["recurringProducts"]
    start = (stockholm_now().date() + timedelta(days=40)).isoformat()
    created = post(api, href, {"productCode": "CUS-INS", "startDate": start}).json()

    assert api.follow(created["@id"], "DELETE").status_code == 204
    after = api.follow(created["@id"]).json()
    assert after["endDate"] == start
    assert after["operations"] == []


def test_patch_changes_quantity_and_end_date(api, writer):
    href = writer["customer"]["recurringProducts"]
    created = post(api, href, {"productCode": "CUS-INS", "startDate": "2024-05-01"}).json()
    end = (stockholm_now().date() + timedelta(days=90)).isoformat()

    response = api.follow(created["@id"], "PATCH", json={"quantity": 3, "endDate": end})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["quantity"] == 3 and patched["endDate"] == end
    # A planned end in the future leaves the product running.
    assert {o["rel"] for o in patched["operations"]} == {"partial-update", "delete"}
    assert api.follow(created["@id"]).json() == patched


def test_patch_reports_every_bad_field(api, writer):
    href = writer["customer"]["recurringProducts"]
    created = post(api, href, {"productCode": "CUS-INS", "startDate": "2024-05-01"}).json()

    response = api.follow(
        created["@id"], "PATCH",
        json={"quantity": 0, "endDate": "2024-04-30", "unitPrice": "1.00", "size": "XL"},
    )  # fmt: skip
    body = assert_problem(response, 400, "customer", "validation")
    assert body["Problems"] == [
        {"unitPrice": "Read-only field"},
        {"size": "Unknown field"},
        {"quantity": "Must be an integer from 1 to 9999"},
        {"endDate": "Must not be before startDate (2024-05-01)"},
    ]


def test_a_product_is_only_found_under_its_own_parent(api, writer):
    subscription = writer["big_subscriptions"][0]
    product = api.follow(subscription["recurringProducts"]).json()["recurringProducts"][0]
    elsewhere = f"/customers/{writer['big']}/recurring-products/{product['recurringProductId']}"
    assert_problem(api.get("customer", elsewhere), 404, "customer", "recurring-product-not-found")


def _main_plan(api, subscription):
    products = api.follow(subscription["recurringProducts"]).json()["recurringProducts"]
    return next(p for p in products if p["productCode"] == subscription["productCode"])


def test_a_main_plan_ends_with_its_subscription_and_is_never_offered_delete(api, writer):
    active = [s for s in writer["big_subscriptions"] if s["status"] == "active"]
    mobile = next(s for s in active if s["productCode"].startswith("MOB-"))
    plan = _main_plan(api, mobile)

    assert plan["operations"] == []
    assert_problem(api.follow(plan["@id"], "DELETE"), 409, "customer", "conflict")
    assert_problem(api.follow(plan["@id"], "PATCH", json={"quantity": 2}), 409, "customer",
                   "conflict")  # fmt: skip
    # A plan that takes a quantity (SIM cards on IoT) may change only that.
    iot = next(s for s in active if s["productCode"] == "M2M-DATA")
    iot_plan = _main_plan(api, iot)
    assert {o["rel"] for o in iot_plan["operations"]} == {"partial-update"}
    body = assert_problem(
        api.follow(iot_plan["@id"], "PATCH", json={"endDate": "2031-01-01"}), 400, "customer",
        "validation",
    )  # fmt: skip
    assert body["Problems"] == [{"endDate": "A main plan ends with its subscription"}]


def test_an_end_date_before_today_is_refused(api, writer):
    href = writer["customer"]["recurringProducts"]
    created = post(api, href, {"productCode": "CUS-INS", "startDate": "2024-05-01"}).json()
    yesterday = stockholm_now().date() - timedelta(days=1)
    response = api.follow(created["@id"], "PATCH", json={"endDate": yesterday.isoformat()})
    body = assert_problem(response, 400, "customer", "validation")
    assert problem_fields(body) == {"endDate"}
