"""Every list's `page` is bounded: past MAX_PAGE it is a 400 naming `page`, up to it an
empty page; never a database or Redis error. The API and the pages, over the real stack."""

from __future__ import annotations

import pytest

from billing_bff.web.api import MAX_PAGE
from tests.customers import upstream as sandbox_data
from tests.customers.helpers import problem
from tests.customers.test_pages import browser

HUGE = "9223372036854775807"


@pytest.fixture
def lists(anna, demo) -> list[str]:
    """The URL of every paged list of anna's customer."""
    customer = f"/api/v1/customers/{demo.family}"
    line = sandbox_data.subscription(demo.family)
    invoice_no, billed_line = billed_set(anna, customer)
    return [
        f"{customer}/subscriptions",
        f"{customer}/recurring-products",
        f"{customer}/subscriptions/{line}/recurring-products",
        f"{customer}/catalogue",
        f"{customer}/invoices",
        f"{customer}/subscriptions/{line}/usage",
        f"{customer}/invoices/{invoice_no}/subscriptions/{billed_line}/usage",
        f"{customer}/exports",
    ]


def billed_set(anna, customer: str) -> tuple[str, str]:
    """An invoice of the customer with billed usage, and a subscription on it."""
    for header in anna.get(f"{customer}/invoices").json()["results"]:
        summary = anna.get(f"{customer}/invoices/{header['invoiceNo']}/usage")
        if summary.status_code == 200 and summary.json()["subscriptions"]:
            return header["invoiceNo"], summary.json()["subscriptions"][0]["subscriptionNo"]
    raise LookupError("no invoice with billed usage")


@pytest.mark.parametrize("page", [HUGE, str(MAX_PAGE + 1), "-" + HUGE, "1e9"])
def test_a_page_past_the_bound_is_a_400_naming_page(anna, lists, page):
    for url in lists:
        response = anna.get(url, {"page": page})
        assert response.status_code == 400, (url, response.status_code, response.content[:300])
        assert "page" in problem(response)["errors"], url


def test_the_last_page_allowed_is_an_empty_page(anna, lists):
    for url in lists:
        response = anna.get(url, {"page": MAX_PAGE, "page_size": 200})
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        assert body["results"] == [], url
        assert body["next"] is None


def test_the_bound_is_in_the_openapi_document(client):
    document = client.get("/api/schema/", {"format": "json"}).json()
    subscriptions = document["paths"]["/api/v1/customers/{customerNo}/subscriptions"]["get"]
    page = next(p for p in subscriptions["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] == MAX_PAGE


def test_the_pages_show_their_own_error_for_a_page_past_the_bound(anna, demo):
    client = browser(demo.anna, "en")
    line = sandbox_data.subscription(demo.family)
    invoice_no, billed_line = billed_set(anna, f"/api/v1/customers/{demo.family}")
    for url in (
        "/invoices/",
        f"/subscriptions/{line}/usage/",
        f"/invoices/{invoice_no}/subscriptions/{billed_line}/usage/",
    ):
        response = client.get(url, {"page": HUGE})
        assert response.status_code in (200, 400), (url, response.status_code)
        html = response.content.decode()
        assert 'class="error-page"' not in html, url
        assert "10000" in html or "10,000" in html or "10\u00a0000" in html, url
