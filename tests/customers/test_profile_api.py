"""GET and PATCH /api/v1/customers/{customerNo}, over the real stack and the sandbox."""

import uuid

import pytest

from billing_bff.models import AuditLog
from tests.customers.helpers import CUSTOMER_ROUTE, assert_clean_body, problem, rels, upstream

PATCH_CUSTOMER = upstream("PATCH", CUSTOMER_ROUTE)
GET_CUSTOMER = upstream("GET", CUSTOMER_ROUTE)


def url(customer_no: str) -> str:
    return f"/api/v1/customers/{customer_no}"


def unique_email() -> str:
    return f"test-{uuid.uuid4().hex[:12]}@example.com"


def test_the_profile_keeps_upstream_names_and_shows_no_upstream_detail(anna, demo):
    response = anna.get(url(demo.family))
    assert response.status_code == 200
    body = response.json()
    assert body["customerNo"] == demo.family
    assert {"emailAddress", "msisdn", "billingAddress", "language", "invoiceDistribution"} <= set(
        body
    )
    assert set(body["billingAddress"]) >= {"addressee", "streetAddress", "zipCode", "city"}
    assert body["subscriptions"] == f"/api/v1/customers/{demo.family}/subscriptions"
    assert rels(body) == {"partial-update", "create-recurring-product"}
    assert set(body["meta"]) == {"asOf", "stale", "source"}
    assert_clean_body(body, customer_no=demo.family)
    assert "private" in response["Cache-Control"]


def test_the_profile_is_cached_and_answers_if_none_match(anna, demo, sandbox):
    assert anna.get(url(demo.family)).json()["meta"]["source"] == "upstream"
    cached = anna.get(url(demo.family))
    assert cached.json()["meta"]["source"] == "cache"
    again = anna.get(url(demo.family), HTTP_IF_NONE_MATCH=cached["ETag"])
    assert again.status_code == 304
    assert sandbox.route_count(GET_CUSTOMER) == 1


def test_a_viewer_sees_no_write_operation_and_may_not_patch(bertil, demo, sandbox):
    body = bertil.get(url(demo.family)).json()
    assert rels(body) == set()
    response = bertil.patch(url(demo.family), {"emailAddress": unique_email()}, format="json")
    assert response.status_code == 403
    assert problem(response)["status"] == 403
    assert sandbox.route_count(PATCH_CUSTOMER) == 0
    assert not AuditLog.objects.filter(action="customer.partial-update").exists()


def test_a_patch_changes_the_email_and_the_next_read_shows_it_at_once(anna, demo, sandbox):
    anna.get(url(demo.family))  # a cached copy the write must leave behind
    email = unique_email()
    response = anna.patch(url(demo.family), {"emailAddress": email}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["emailAddress"] == email
    assert rels(response.json()) == {"partial-update", "create-recurring-product"}
    assert anna.get(url(demo.family)).json()["emailAddress"] == email
    assert sandbox.route_count(PATCH_CUSTOMER) == 1

    entry = AuditLog.objects.get(action="customer.partial-update")
    assert (entry.actor_username, entry.customer_no, entry.channel) == ("anna", demo.family, "api")
    assert entry.details == {"fields": ["emailAddress"]}
    assert email not in str(entry.details)


def test_an_address_change_is_normalised_and_audited_by_field_name(anna, demo):
    current = anna.get(url(demo.family)).json()["billingAddress"]
    street = f"Testgatan {uuid.uuid4().int % 100 + 1}"
    address = {**current, "streetAddress": street, "zipCode": "11122", "countryCode": "se"}
    response = anna.patch(url(demo.family), {"billingAddress": address}, format="json")
    assert response.status_code == 200, response.content
    shown = response.json()["billingAddress"]
    assert (shown["streetAddress"], shown["zipCode"], shown["countryCode"]) == (
        street,
        "111 22",
        "SE",
    )
    entry = AuditLog.objects.get(action="customer.partial-update")
    assert "billingAddress.streetAddress" in entry.details["fields"]
    assert street not in str(entry.details)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"billingAddress.zipCode": "1234"}, "billingAddress.zipCode"),
        ({"billingAddress.zipCode": "ABC 12"}, "billingAddress.zipCode"),
        ({"billingAddress.countryCode": "XX"}, "billingAddress.countryCode"),
        ({"msisdn": "0701234567"}, "msisdn"),
        ({"emailAddress": "not-an-address"}, "emailAddress"),
        ({"language": "de"}, "language"),
        ({"invoiceDistribution": "fax"}, "invoiceDistribution"),
        ({"name": "Someone Else"}, "name"),
    ],
)
def test_bad_input_is_refused_by_field_before_going_upstream(anna, demo, sandbox, changes, field):
    address = {
        "addressee": "A",
        "streetAddress": "Storgatan 1",
        "zipCode": "111 22",
        "city": "Stockholm",
        "countryCode": "SE",
    }
    body: dict = {}
    for name, value in changes.items():
        if name.startswith("billingAddress."):
            body["billingAddress"] = {**address, name.split(".", 1)[1]: value}
        else:
            body[name] = value
    response = anna.patch(url(demo.family), body, format="json")
    assert response.status_code == 400
    details = problem(response)
    assert list(details["errors"]) == [field]
    assert sandbox.route_count(PATCH_CUSTOMER) == 0


def test_a_foreign_zip_code_is_not_held_to_the_swedish_rule(anna, demo):
    address = {
        "addressee": "A",
        "streetAddress": "Hauptstrasse 1",
        "zipCode": "10115",
        "city": "Berlin",
        "countryCode": "DE",
    }
    response = anna.patch(url(demo.family), {"billingAddress": address}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["billingAddress"]["countryCode"] == "DE"


def test_the_upstreams_validation_comes_back_on_the_same_field(anna, demo, sandbox):
    # Django accepts a bare "localhost" domain; PayEx wants a dotted one.
    response = anna.patch(url(demo.family), {"emailAddress": "anna@localhost"}, format="json")
    assert response.status_code == 400
    details = problem(response)
    assert list(details["errors"]) == ["emailAddress"]
    assert sandbox.route_count(PATCH_CUSTOMER) == 1
    assert "/billing/" not in response.content.decode()
    assert not AuditLog.objects.filter(action="customer.partial-update").exists()


def test_a_patch_with_the_same_key_is_replayed_and_a_different_body_refused(anna, demo, sandbox):
    key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    body = {"emailAddress": unique_email()}
    first = anna.patch(url(demo.family), body, format="json", **key)
    again = anna.patch(url(demo.family), body, format="json", **key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert sandbox.route_count(PATCH_CUSTOMER) == 1

    other = anna.patch(url(demo.family), {"emailAddress": unique_email()}, format="json", **key)
    assert other.status_code == 422
    assert sandbox.route_count(PATCH_CUSTOMER) == 1


def test_an_unchanged_value_is_not_sent_upstream(anna, demo, sandbox):
    email = anna.get(url(demo.family)).json()["emailAddress"]
    response = anna.patch(url(demo.family), {"emailAddress": email}, format="json")
    assert response.status_code == 200
    assert sandbox.route_count(PATCH_CUSTOMER) == 0
    assert not AuditLog.objects.filter(action="customer.partial-update").exists()


def test_another_customer_reads_exactly_like_one_that_does_not_exist(anna, demo, sandbox):
    numbers = [c["customerNo"] for c in sandbox.customers()]
    missing = str(max(int(n) for n in numbers) + 1)
    answers = []
    for number in (demo.business, missing, "12ab"):
        for call in (
            lambda n: anna.get(url(n)),
            lambda n: anna.patch(url(n), {"emailAddress": unique_email()}, format="json"),
        ):
            response = call(number)
            body = problem(response)
            assert response.status_code == 404
            body.pop("instance")
            answers.append(body)
    assert all(answer == answers[0] for answer in answers)
    assert sandbox.route_count(PATCH_CUSTOMER) == 0


def test_an_agent_may_change_any_customer_and_is_audited_as_agent(agent, demo):
    email = unique_email()
    response = agent.patch(url(demo.second), {"emailAddress": email}, format="json")
    assert response.status_code == 200
    entry = AuditLog.objects.get(action="customer.partial-update")
    assert (entry.actor_role, entry.customer_no) == ("agent", demo.second)
