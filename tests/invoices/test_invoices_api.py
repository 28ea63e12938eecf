"""GET /api/v1/customers/{c}/invoices (paged, filtered) and /invoices/{invoiceNo}."""

from decimal import Decimal

import pytest

from tests.customers import upstream as sandbox_data
from tests.customers.helpers import assert_clean_body, problem, upstream

INVOICE_ROUTE = "/billing/invoice/v1/{ownerNo}/customers/{customerNo}/invoices/{invoiceNo}"


def url(customer_no: str, invoice_no: str | None = None) -> str:
    base = f"/api/v1/customers/{customer_no}/invoices"
    return f"{base}/{invoice_no}" if invoice_no else base


def test_the_list_is_newest_first_paged_and_clean(anna, demo):
    body = anna.get(url(demo.family), {"page_size": 5}).json()
    assert set(body) == {"count", "next", "previous", "results", "meta"}
    assert body["count"] == len(sandbox_data.invoices(demo.family)) == 12
    dates = [i["invoiceDate"] for i in body["results"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5
    older = anna.get(body["next"]).json()["results"]
    assert older[0]["invoiceDate"] < dates[-1]
    first = body["results"][0]
    assert {"invoiceNo", "invoiceDate", "dueDate", "totalAmount", "vatAmount", "status"} <= set(
        first
    )
    assert first["charges"] == url(demo.family, first["invoiceNo"])
    assert_clean_body(body, customer_no=demo.family)


def test_the_list_filters_by_year_and_status(anna, demo):
    everything = sandbox_data.invoices(demo.family)
    year = everything[-1]["invoiceDate"][:4]
    body = anna.get(url(demo.family), {"year": year, "page_size": 200}).json()
    assert body["count"] == sum(i["invoiceDate"].startswith(year) for i in everything)
    assert all(i["invoiceDate"].startswith(year) for i in body["results"])

    status = everything[0]["status"]
    body = anna.get(url(demo.family), {"status": status, "page_size": 200}).json()
    assert body["count"] == sum(i["status"] == status for i in everything) >= 1
    assert anna.get(url(demo.family), {"year": 2001}).json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [({"year": "last"}, "year"), ({"year": 1999}, "year"), ({"status": "lost"}, "status")],
)
def test_bad_filters_are_a_400_by_field(anna, demo, query, field):
    response = anna.get(url(demo.family), query)
    assert response.status_code == 400
    assert list(problem(response)["errors"]) == [field]


def test_an_invoice_is_grouped_by_subscription_with_subtotals_vat_and_usage_links(anna, demo):
    invoice_no = sandbox_data.invoices(demo.family)[0]["invoiceNo"]
    upstream_invoice = sandbox_data.get(
        "invoice", f"/customers/{demo.family}/invoices/{invoice_no}"
    )
    body = anna.get(url(demo.family, invoice_no)).json()
    assert_clean_body(body, customer_no=demo.family)
    assert body["invoiceNo"] == invoice_no
    assert body["usage"] == f"{url(demo.family, invoice_no)}/usage"

    charges = upstream_invoice["charges"]
    numbers = list(dict.fromkeys(c["subscriptionNo"] for c in charges if c["subscriptionNo"]))
    assert [g["subscriptionNo"] for g in body["subscriptions"]] == numbers
    for group in body["subscriptions"]:
        mine = [c for c in charges if c["subscriptionNo"] == group["subscriptionNo"]]
        assert [c["chargeId"] for c in group["charges"]] == [c["chargeId"] for c in mine]
        amount = sum(Decimal(c["amount"]) for c in mine)
        vat = sum(Decimal(c["vatAmount"]) for c in mine)
        assert group["subtotal"] == {
            "amount": f"{amount:.2f}",
            "vatAmount": f"{vat:.2f}",
            "totalAmount": f"{amount + vat:.2f}",
        }
        has_usage = any(c["chargeType"] == "usage" for c in mine)
        expected = f"{url(demo.family, invoice_no)}/subscriptions/{group['subscriptionNo']}/usage"
        assert group["usage"] == (expected if has_usage else None)
    assert [c["chargeId"] for c in body["customerCharges"]["charges"]] == [
        c["chargeId"] for c in charges if not c["subscriptionNo"]
    ]
    assert body["vat"] == [
        {
            "vatRate": "25.00",
            "amount": f"{sum(Decimal(c['amount']) for c in charges):.2f}",
            "vatAmount": upstream_invoice["vatAmount"],
        }
    ]
    excl_vat = Decimal(upstream_invoice["totalAmount"]) - Decimal(upstream_invoice["vatAmount"])
    assert body["totals"] == {
        "amount": f"{excl_vat:.2f}",
        "vatAmount": upstream_invoice["vatAmount"],
        "totalAmount": upstream_invoice["totalAmount"],
        "linesMatchHeader": True,
    }


def test_an_invoice_is_read_from_the_cache_the_second_time(anna, demo, sandbox):
    invoice_no = sandbox_data.invoices(demo.family)[1]["invoiceNo"]
    sandbox.reset_stats()
    first = anna.get(url(demo.family, invoice_no)).json()
    second = anna.get(url(demo.family, invoice_no)).json()
    assert (first["meta"]["source"], second["meta"]["source"]) == ("upstream", "cache")
    assert sandbox.route_count(upstream("GET", INVOICE_ROUTE)) == 1


def test_another_customers_invoice_reads_like_a_missing_one(anna, demo):
    theirs = sandbox_data.invoices(demo.business)[0]["invoiceNo"]
    answers = []
    for invoice_no in (theirs, sandbox_data.MISSING_INVOICE, "abc"):
        response = anna.get(url(demo.family, invoice_no))
        assert response.status_code == 404
        body = problem(response)
        body.pop("instance")
        answers.append(body)
    assert all(answer == answers[0] for answer in answers)
    assert anna.get(url(demo.business)).status_code == 404


def test_a_viewer_reads_invoices(bertil, demo):
    assert bertil.get(url(demo.family)).status_code == 200
