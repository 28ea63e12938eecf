"""GET /api/v1/customers/{c}/subscriptions (paged) and /subscriptions/{s} (with products)."""

from tests.customers import upstream as sandbox_data
from tests.customers.helpers import assert_clean_body, problem, rels


def test_the_list_is_paged_with_the_fixed_shape(anna, demo):
    base = f"/api/v1/customers/{demo.family}/subscriptions"
    everything = anna.get(base).json()
    assert set(everything) == {"count", "next", "previous", "results", "meta"}
    count = everything["count"]
    assert count == len(sandbox_data.subscriptions(demo.family)) >= 3

    first = anna.get(base, {"page_size": 2}).json()
    assert [s["subscriptionNo"] for s in first["results"]] == [
        s["subscriptionNo"] for s in everything["results"][:2]
    ]
    assert first["previous"] is None and "page=2" in first["next"]
    second = anna.get(first["next"]).json()
    assert [s["subscriptionNo"] for s in second["results"]] == [
        s["subscriptionNo"] for s in everything["results"][2:4]
    ]
    assert_clean_body(everything, customer_no=demo.family)


def test_bad_paging_is_a_400_by_field(anna, demo):
    response = anna.get(f"/api/v1/customers/{demo.family}/subscriptions", {"page_size": 500})
    assert response.status_code == 400
    assert list(problem(response)["errors"]) == ["page_size"]


def test_operations_follow_the_state_and_the_role(anna, bertil, demo):
    body = anna.get(f"/api/v1/customers/{demo.family}/subscriptions").json()
    by_status = {s["status"]: s for s in body["results"]}
    assert rels(by_status["active"]) == {"create-recurring-product"}
    assert rels(by_status["suspended"]) == set()  # the upstream offers nothing on hold
    viewed = bertil.get(f"/api/v1/customers/{demo.family}/subscriptions").json()
    assert all(rels(s) == set() for s in viewed["results"])


def test_one_subscription_comes_with_its_recurring_products(anna, demo):
    number = sandbox_data.subscription(demo.family)
    response = anna.get(f"/api/v1/customers/{demo.family}/subscriptions/{number}")
    assert response.status_code == 200
    body = response.json()
    assert body["subscriptionNo"] == number
    products = body["recurringProducts"]
    assert products, "every subscription has at least its plan"
    assert {"recurringProductId", "productCode", "quantity", "unitPrice", "vatRate"} <= set(
        products[0]
    )
    assert rels(products[0]) <= {"partial-update", "delete"}
    assert set(body["meta"]) == {"asOf", "stale", "source"}
    assert_clean_body(body, customer_no=demo.family)


def test_another_customers_subscription_is_a_404_like_a_missing_one(anna, demo):
    theirs = sandbox_data.subscription(demo.business)
    answers = []
    for number in (theirs, sandbox_data.MISSING_SUBSCRIPTION, "no.such", "x" * 60):
        response = anna.get(f"/api/v1/customers/{demo.family}/subscriptions/{number}")
        assert response.status_code == 404
        body = problem(response)
        body.pop("instance")
        answers.append(body)
    assert all(answer == answers[0] for answer in answers)
