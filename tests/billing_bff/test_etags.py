"""ETag and If-None-Match on API GETs (billing_bff.web.middleware.BodyETagMiddleware)."""

import pytest
from django.test import Client

from tests.access.actors import bearer, link, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(sandbox) -> tuple[str, str]:
    numbers = [c["customerNo"] for c in sandbox.customers()]
    return numbers[0], numbers[1]


@pytest.fixture
def owner(customers):
    user = make_user("etag-owner")
    link(user, customers[0], "owner")
    link(user, customers[1], "owner")
    return user


def invoices(customer_no: str) -> str:
    return f"/api/v1/customers/{customer_no}/invoices"


def test_the_first_etag_still_matches_once_the_answer_comes_from_the_cache(owner, customers):
    client, auth = Client(), bearer(owner)
    first = client.get(invoices(customers[0]), **auth)
    assert first.json()["meta"]["source"] == "upstream"
    etag = first["ETag"]
    assert etag.startswith('W/"')

    second = client.get(invoices(customers[0]), **auth)
    assert second.json()["meta"]["source"] == "cache"
    assert second["ETag"] == etag

    again = client.get(invoices(customers[0]), HTTP_IF_NONE_MATCH=etag, **auth)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert "private" in again["Cache-Control"]
    assert "Authorization" in again["Vary"]


def test_another_body_has_another_etag_and_a_stale_etag_gets_the_body(owner, customers):
    client, auth = Client(), bearer(owner)
    page_one = client.get(invoices(customers[0]), {"page_size": 1}, **auth)
    page_two = client.get(invoices(customers[0]), {"page_size": 1, "page": 2}, **auth)
    assert page_one["ETag"] != page_two["ETag"]
    answer = client.get(
        invoices(customers[0]),
        {"page_size": 1, "page": 2},
        HTTP_IF_NONE_MATCH=page_one["ETag"],
        **auth,
    )
    assert answer.status_code == 200
    assert answer.json()["results"]


def test_an_etag_opens_nothing_for_another_caller_or_customer(owner, customers):
    client = Client()
    etag = client.get(invoices(customers[0]), **bearer(owner))["ETag"]

    # The same ETag sent for the user's other customer: that customer's own body.
    other = client.get(invoices(customers[1]), HTTP_IF_NONE_MATCH=etag, **bearer(owner))
    assert other.status_code == 200
    assert other["ETag"] != etag

    # A user not linked to the customer, and nobody at all, get no 304 for its URL.
    stranger = make_user("etag-stranger")
    link(stranger, customers[1], "owner")
    refused = client.get(invoices(customers[0]), HTTP_IF_NONE_MATCH=etag, **bearer(stranger))
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/problem+json"
    anonymous = client.get(invoices(customers[0]), HTTP_IF_NONE_MATCH=etag)
    assert anonymous.status_code == 401


def test_if_none_match_star_never_turns_a_problem_into_a_304(owner, customers):
    client, auth = Client(), bearer(owner)
    missing = client.get(invoices(customers[0]) + "/0", HTTP_IF_NONE_MATCH="*", **auth)
    assert missing.status_code == 404
    assert missing.json()["status"] == 404
