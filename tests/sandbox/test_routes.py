"""Every route of the contract answers with the contract's resource shapes."""

import itertools
import re
from datetime import date, datetime, timedelta

from .conftest import assert_problem, op, stockholm_now

MONEY = re.compile(r"^-?\d+\.\d{2}$")
OFFSET_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$")


def test_customer_has_contract_fields_links_and_operations(api, catalogue):
    number = catalogue["big"]["customerNo"]
    customer = api.ok("customer", f"/customers/{number}")

    base = f"/billing/customer/v1/501/customers/{number}"
    assert customer["@id"] == base
    assert customer["customerNo"] == number
    assert customer["legalEntity"] == "business"
    assert customer["nationalIdentifier"]["countryCode"] == "SE"
    assert re.match(r"^\d{6}-\d{4}$", customer["nationalIdentifier"]["regNo"])
    assert set(customer["billingAddress"]) == {
        "addressee", "coAddress", "streetAddress", "zipCode", "city", "countryCode",
    }  # fmt: skip
    assert re.match(r"^\d{3} \d{2}$", customer["billingAddress"]["zipCode"])
    assert customer["subscriptions"] == f"{base}/subscriptions"
    assert customer["recurringProducts"] == f"{base}/recurring-products"
    assert op(customer, "partial-update") == {
        "rel": "partial-update", "method": "patch", "href": base,
    }  # fmt: skip
    assert op(customer, "create-recurring-product")["href"] == f"{base}/recurring-products"


def test_subscriptions_list_and_each_subscription(api, catalogue):
    number = catalogue["big"]["customerNo"]
    listing = api.ok("customer", f"/customers/{number}/subscriptions")

    assert listing["@id"] == f"/billing/customer/v1/501/customers/{number}/subscriptions"
    subscriptions = listing["subscriptions"]
    assert len(subscriptions) == catalogue["big"]["subscriptionCount"] >= 25
    assert {s["status"] for s in subscriptions} == {"active", "suspended", "terminated"}
    for subscription in subscriptions[:3]:
        assert api.follow(subscription["@id"]).json() == subscription
        assert subscription["recurringProducts"] == subscription["@id"] + "/recurring-products"
        assert subscription["productName"]


def test_recurring_products_at_both_levels_and_one_by_one(api, catalogue):
    number = catalogue["big"]["customerNo"]
    at_customer = api.ok("customer", f"/customers/{number}/recurring-products")
    subscription = api.ok("customer", f"/customers/{number}/subscriptions")["subscriptions"][0]
    at_subscription = api.follow(subscription["recurringProducts"]).json()

    for listing in (at_customer, at_subscription):
        assert listing["recurringProducts"]
        for product in listing["recurringProducts"]:
            assert product["@id"] == f"{listing['@id']}/{product['recurringProductId']}"
            assert product["vatRate"] == "25.00" and product["currency"] == "SEK"
            assert MONEY.match(product["unitPrice"])
            assert product["chargeInterval"] in ("monthly", "quarterly", "yearly")
            assert api.follow(product["@id"]).json() == product
    # The subscription's plan is its first recurring product.
    assert at_subscription["recurringProducts"][0]["productCode"] == subscription["productCode"]


def test_invoices_come_newest_first_for_twelve_consecutive_months(api, catalogue):
    number = catalogue["all"][0]["customerNo"]
    invoices = api.ok("invoice", f"/customers/{number}/invoices")["invoices"]

    assert len(invoices) == 12
    starts = [date.fromisoformat(i["periodStart"]) for i in invoices]
    assert starts == sorted(starts, reverse=True)
    for newer, older in itertools.pairwise(starts):
        assert (newer - timedelta(days=1)).replace(day=1) == older
    newest = invoices[0]
    assert newest["status"] in ("open", "overdue")
    assert {i["status"] for i in invoices[2:]} <= {"paid", "credited"}
    assert date.fromisoformat(newest["invoiceDate"]).day == 10
    assert newest["charges"] == newest["@id"]
    assert MONEY.match(newest["totalAmount"]) and MONEY.match(newest["vatAmount"])


def test_invoice_has_charge_lines_and_a_usage_link(api, catalogue):
    number = catalogue["big"]["customerNo"]
    header = api.ok("invoice", f"/customers/{number}/invoices")["invoices"][0]
    invoice = api.follow(header["@id"]).json()

    assert invoice["invoiceNo"] == header["invoiceNo"]
    assert invoice["usage"] == f"/billing/usage/v1/501/invoices/{header['invoiceNo']}"
    types = {c["chargeType"] for c in invoice["charges"]}
    assert {"recurring", "usage"} <= types
    for charge in invoice["charges"]:
        assert set(charge) == {
            "chargeId", "subscriptionNo", "productCode", "description", "chargeType",
            "periodStart", "periodEnd", "quantity", "unitPrice", "amount", "vatRate",
            "vatAmount",
        }  # fmt: skip
    assert api.follow(invoice["usage"]).status_code == 200


def test_billed_usage_summary_and_records(api, catalogue):
    number = catalogue["big"]["customerNo"]
    header = api.ok("invoice", f"/customers/{number}/invoices")["invoices"][1]
    summary = api.ok("usage", f"/invoices/{header['invoiceNo']}")

    assert summary["invoiceNo"] == header["invoiceNo"]
    assert summary["customerNo"] == number
    entry = summary["subscriptions"][0]
    records = api.follow(entry["usage"]).json()
    assert records["subscriptionNo"] == entry["subscriptionNo"]
    assert records["invoiceNo"] == header["invoiceNo"]
    assert len(records["usage"]) == entry["recordCount"] > 0
    first = records["usage"][0]
    assert set(first) == {
        "usageId", "startTime", "usageType", "destination", "destinationCode", "zone",
        "roaming", "volume", "volumeCode", "unitPrice", "amount", "currency", "detailInfo",
    }  # fmt: skip
    period = (date.fromisoformat(header["periodStart"]), date.fromisoformat(header["periodEnd"]))
    for record in records["usage"]:
        assert OFFSET_TIME.match(record["startTime"])
        assert period[0] <= datetime.fromisoformat(record["startTime"]).date() <= period[1]
        assert record["usageType"] in ("voice", "sms", "mms", "data", "content", "other")
        assert record["zone"] in ("domestic", "eu", "world")
        assert record["volumeCode"] in ("S", "E", "KB", "MB")


def test_unbilled_usage_starts_at_the_unbilled_period_and_stops_now(api, catalogue):
    number = catalogue["all"][0]["customerNo"]
    before = stockholm_now()
    summary = api.ok("usage", f"/customers/{number}")

    today = before.date()
    expected = today.replace(day=1)
    if today.day < 10:
        expected = (expected - timedelta(days=1)).replace(day=1)
    assert summary["periodStart"] == expected.isoformat()
    assert summary["customerNo"] == number
    entry = max(summary["subscriptions"], key=lambda e: e["recordCount"])
    records = api.follow(entry["usage"]).json()
    after = stockholm_now()
    assert records["invoiceNo"] is None
    assert len(records["usage"]) >= entry["recordCount"] > 0
    for record in records["usage"]:
        started = datetime.fromisoformat(record["startTime"])
        assert expected <= started.date() and started <= after


def test_unknown_route_is_a_404_problem(api):
    response = api.get("customer", "/customers/1234567/nothing-here")
    assert_problem(response, 404, "customer", "not-found")


def test_wrong_method_on_a_known_route_is_a_405_problem(api, catalogue):
    number = catalogue["all"][0]["customerNo"]
    response = api.call("DELETE", "customer", f"/customers/{number}")
    assert_problem(response, 405, "customer", "method-not-allowed")
    assert response.headers["Allow"] == "GET, PATCH"


def test_correlation_id_is_echoed(api, catalogue):
    number = catalogue["all"][0]["customerNo"]
    ok = api.get("customer", f"/customers/{number}", headers={"X-Correlation-Id": "corr-1"})
    failed = api.get("invoice", "/customers/0000001/invoices", headers={"X-Correlation-Id": "c2"})
    assert ok.headers["X-Correlation-Id"] == "corr-1"
    assert failed.status_code == 404 and failed.headers["X-Correlation-Id"] == "c2"
