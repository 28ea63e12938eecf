"""Unit tests of the pure parts of the client: problem parsing and the route table."""

import re

import pytest

from billing_bff.upstream import errors, routes
from billing_bff.upstream.problems import error_from_problem, field_errors, problem_code


@pytest.mark.parametrize(
    ("type_value", "code"),
    [
        ("billing/customer/problems/customer-not-found", "customer-not-found"),
        ("billing/usage/service/subscription-not found", "subscription-not-found"),
        ("billing/usage/problems/Invoice-Has-No-Usage", "invoice-has-no-usage"),
        (
            "https://lf-api.payex.com/billing/invoice/problems/invoice-not-found/",
            "invoice-not-found",
        ),
        ("", ""),
        (None, ""),
    ],
)
def test_problem_code_is_the_last_segment_read_leniently(type_value, code):
    assert problem_code(type_value) == code


@pytest.mark.parametrize(
    ("code", "status", "cls", "end_user_status"),
    [
        ("validation", 400, errors.UpstreamValidation, 400),
        ("customer-not-found", 404, errors.UpstreamNotFound, 404),
        ("subscription-not found", 404, errors.UpstreamNotFound, 404),
        ("invoice-not-found", 404, errors.UpstreamNotFound, 404),
        ("invoice-has-no-usage", 404, errors.UpstreamNotFound, 404),
        ("recurring-product-not-found", 404, errors.UpstreamNotFound, 404),
        ("conflict", 409, errors.UpstreamConflict, 409),
        ("token-invalid", 401, errors.UpstreamUnauthorized, 503),
        ("token-expired", 401, errors.UpstreamUnauthorized, 503),
        ("owner-mismatch", 401, errors.UpstreamUnauthorized, 503),
        ("something-new", 418, errors.UpstreamBadGateway, 502),
    ],
)
def test_every_problem_code_maps_to_its_typed_error(code, status, cls, end_user_status):
    for keys in ("Type", "type"):
        error = error_from_problem(
            api="customer",
            status=status,
            body={keys: f"billing/customer/problems/{code}", "Instance": "abc"},
        )
        assert type(error) is cls
        assert error.status_code == end_user_status
        assert error.instance == "abc"


def test_not_found_says_what_was_not_found():
    error = error_from_problem(
        api="usage", status=404, body={"type": "billing/usage/problems/subscription-not found"}
    )
    assert error.what == "subscription"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (500, errors.UpstreamBadGateway),
        (502, errors.UpstreamBadGateway),
        (503, errors.UpstreamUnavailable),
        (504, errors.UpstreamTimeout),
        (401, errors.UpstreamUnauthorized),
        (429, errors.UpstreamBadGateway),
    ],
)
def test_answers_without_a_known_code_map_by_status(status, cls):
    assert type(error_from_problem(api="invoice", status=status, body="<html>oops")) is cls


def test_validation_problems_become_field_errors_in_either_shape():
    assert field_errors([{"billingAddress.zipCode": "Not a valid SE zip code"}]) == {
        "billingAddress.zipCode": ["Not a valid SE zip code"]
    }
    assert field_errors([{"Name": "emailAddress", "Description": "Invalid"}]) == {
        "emailAddress": ["Invalid"]
    }
    error = error_from_problem(
        api="customer",
        status=400,
        body={"Type": "billing/customer/problems/validation", "Problems": [{"msisdn": "bad"}]},
    )
    assert error.errors == {"msisdn": ["bad"]}


CUSTOMER = "/billing/customer/v1/501/customers/1234567"


def test_operations_parse_any_method_case_and_map_to_bff_routes():
    resource = {
        "operations": [
            {
                "rel": "partial-update",
                "method": "patch",
                "href": "/billing/customer/v1/501/customers/1234567",
            },
            {
                "rel": "create-recurring-product",
                "method": "POST",
                "href": f"{CUSTOMER}/subscriptions/4670/recurring-products",
            },
            {"rel": "unknown", "method": "GET", "href": "/billing/customer/v1/501/not-a-route"},
            {
                "rel": "partial-update",
                "method": "PATCH",
                "href": "/billing/customer/v1/999/customers/1234567",
            },
            {
                "rel": "partial-update",
                "method": "PATCH",
                "href": "/billing/customer/v1/501/customers/7654321",
            },
            "garbage",
        ]
    }
    assert routes.bff_operations(resource, owner_no="501", customer_no="1234567") == [
        {"rel": "partial-update", "method": "PATCH", "href": "/api/v1/customers/1234567"},
        {
            "rel": "create-recurring-product",
            "method": "POST",
            "href": "/api/v1/customers/1234567/subscriptions/4670/recurring-products",
        },
    ]


def test_usage_hrefs_without_a_customer_take_the_authorised_one():
    href = "https://lf-api.payex.com/billing/usage/v1/501/invoices/9001/subscriptions/4670"
    assert routes.to_bff_href(href, owner_no="501", customer_no="1234567") == (
        "/api/v1/customers/1234567/invoices/9001/subscriptions/4670/usage"
    )


@pytest.mark.parametrize("route", routes.ROUTES, ids=lambda r: r.bff)
@pytest.mark.parametrize("segment", ["46701234567", "BB-12 3/x"])
def test_every_bff_href_is_what_the_urlconf_reverses(route, segment):
    """Each row names a real URL, and the href it gives is reverse()'s to the letter."""
    from django.urls import reverse

    names = re.findall(r"\{(\w+)\}", route.template)
    values = {
        name: "7000001" if name == "customerNo" else segment.replace("/", "") for name in names
    }
    upstream = route.upstream_template.format(ownerNo="501", **values)
    expected = reverse(route.bff, kwargs={"customerNo": "7000001", **values})
    assert routes.to_bff_href(upstream, owner_no="501", customer_no="7000001") == expected
