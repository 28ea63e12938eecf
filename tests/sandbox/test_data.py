"""Invariants of the generated data, read over HTTP: totals add up, usage matches invoices."""

import re
from collections import defaultdict
from decimal import Decimal

import pytest

# Positions in the customer list: a consumer, the big business customer, the
# broadband-only consumer, and a few ordinary ones.
CHECKED = (0, 1, 2, 5, 40, 77)


def amounts(values) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal("0.00"))


def test_the_customer_list_has_the_promised_shapes(catalogue):
    customers = catalogue["all"]
    assert len(customers) == 200
    assert len({c["customerNo"] for c in customers}) == 200
    assert all(re.match(r"^\d{7}$", c["customerNo"]) for c in customers)
    big = [c for c in customers if c["bigUnbilledSubscription"]]
    assert len(big) == 1 and big[0]["legalEntity"] == "business"
    assert big[0]["subscriptionCount"] >= 25
    consumers = [c for c in customers if c["legalEntity"] == "consumer"]
    assert len([c for c in consumers if c["subscriptionCount"] >= 3]) >= 20
    assert {c["legalEntity"] for c in customers} == {"consumer", "business"}


@pytest.mark.parametrize("position", CHECKED)
def test_invoice_lines_sum_to_the_header_totals(api, catalogue, position):
    number = catalogue["all"][position]["customerNo"]
    headers = api.ok("invoice", f"/customers/{number}/invoices")["invoices"]
    for header in headers:
        invoice = api.follow(header["@id"]).json()
        charges = invoice["charges"]
        vat = amounts(c["vatAmount"] for c in charges)
        assert amounts(c["amount"] for c in charges) + vat == Decimal(header["totalAmount"])
        assert vat == Decimal(header["vatAmount"])
        for charge in charges:
            expected_vat = (Decimal(charge["amount"]) * Decimal("0.25")).quantize(Decimal("0.01"))
            assert abs(Decimal(charge["vatAmount"]) - expected_vat) <= Decimal("0.01")
            assert Decimal(charge["amount"]) == charge["quantity"] * Decimal(charge["unitPrice"])


@pytest.mark.parametrize("position", (0, 1, 5))
def test_usage_lines_equal_the_billed_usage_records(api, catalogue, position):
    number = catalogue["all"][position]["customerNo"]
    headers = api.ok("invoice", f"/customers/{number}/invoices")["invoices"]
    for header in headers[:3]:
        invoice = api.follow(header["@id"]).json()
        lines = defaultdict(Decimal)
        for charge in invoice["charges"]:
            if charge["chargeType"] == "usage":
                lines[charge["subscriptionNo"]] += Decimal(charge["amount"])
        summary = api.follow(invoice["usage"]).json()
        assert {e["subscriptionNo"] for e in summary["subscriptions"]} == set(lines)
        for entry in summary["subscriptions"]:
            records = api.follow(entry["usage"]).json()["usage"]
            total = amounts(r["amount"] for r in records)
            assert total == lines[entry["subscriptionNo"]] == Decimal(entry["totalAmount"])
            assert len(records) == entry["recordCount"]
            assert len({r["usageId"] for r in records}) == len(records)


def test_the_broadband_only_customer_has_invoices_without_usage(api, catalogue):
    number = catalogue["all"][2]["customerNo"]
    invoice = api.ok("invoice", f"/customers/{number}/invoices")["invoices"][0]
    charges = api.follow(invoice["@id"]).json()["charges"]
    assert charges and not [c for c in charges if c["chargeType"] == "usage"]


def test_the_big_subscription_has_at_least_20000_unbilled_records(api, catalogue):
    big = catalogue["big"]
    number, subscription = big["customerNo"], big["bigUnbilledSubscription"]
    summary = api.ok("usage", f"/customers/{number}")
    entry = next(e for e in summary["subscriptions"] if e["subscriptionNo"] == subscription)

    records = api.ok("usage", f"/customers/{number}/subscriptions/{subscription}")["usage"]
    assert len(records) >= entry["recordCount"] >= 20_000
    assert records[0]["startTime"].startswith(summary["periodStart"])
    assert len({r["usageId"] for r in records}) == len(records)
    # It started with the unbilled period, so it has no billed history.
    details = api.ok("customer", f"/customers/{number}/subscriptions/{subscription}")
    assert details["startDate"] == summary["periodStart"]


def test_customers_look_swedish(api, catalogue):
    for listed in catalogue["all"][:12]:
        customer = api.ok("customer", f"/customers/{listed['customerNo']}")
        reg_no = customer["nationalIdentifier"]["regNo"]
        if customer["legalEntity"] == "consumer":
            assert re.match(r"^(19|20)\d{6}-\d{4}$", reg_no)
        else:
            assert re.match(r"^\d{6}-\d{4}$", reg_no)
        assert re.match(r"^\+467\d{8}$", customer["msisdn"])
        assert re.match(r"^\d{3} \d{2}$", customer["billingAddress"]["zipCode"])
        assert customer["language"] in ("sv", "en", "fi", "no", "da")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_invoices_carry_an_ocr_reference_and_what_is_left_to_pay(api, catalogue):
    """paymentReference is the invoice number with a valid mod-10 check digit;
    remainingAmount is 0 when paid or credited, and some unpaid invoices are partly paid."""
    partly_paid = 0
    for entry in catalogue["all"][:60]:
        headers = api.ok("invoice", f"/customers/{entry['customerNo']}/invoices")["invoices"]
        for header in headers:
            reference = header["paymentReference"]
            assert reference.isdigit() and reference[:-1] == header["invoiceNo"]
            assert _luhn_valid(reference), reference
            remaining, total = Decimal(header["remainingAmount"]), Decimal(header["totalAmount"])
            if header["status"] in ("paid", "credited"):
                assert remaining == 0
            else:
                assert 0 < remaining <= total
                partly_paid += remaining < total
    assert partly_paid >= 3
