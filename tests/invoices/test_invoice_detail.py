"""invoices.selectors.invoice_detail on documents the sandbox never sends: lines that do
not add up to the header, and charges at customer level only."""

import logging
import time

from billing_bff.access import CustomerAccess
from billing_bff.caching import Cached
from invoices.selectors import invoice_detail

CUSTOMER = "1234567"
ACCESS = CustomerAccess(
    user=None, ledger_no="501", customer_no=CUSTOMER, role="owner", channel="api"
)


def charge(charge_id, subscription_no, amount, vat, charge_type="recurring", rate="25.00"):
    return {
        "chargeId": charge_id,
        "subscriptionNo": subscription_no,
        "productCode": "X",
        "description": "Mobil 5 GB",
        "chargeType": charge_type,
        "quantity": 1,
        "unitPrice": amount,
        "amount": amount,
        "vatRate": rate,
        "vatAmount": vat,
    }


def document(charges, total, vat):
    return {
        "@id": f"/billing/invoice/v1/501/customers/{CUSTOMER}/invoices/8000000001",
        "invoiceNo": "8000000001",
        "customerNo": CUSTOMER,
        "currency": "SEK",
        "totalAmount": total,
        "vatAmount": vat,
        "charges": charges,
        "usage": "/billing/usage/v1/501/invoices/8000000001",
        "operations": [],
    }


def test_a_mismatch_shows_the_headers_figures_and_warns_without_personal_data(caplog):
    charges = [charge("1", "46701234567", "100.00", "25.00"), charge("2", None, "10.00", "2.50")]
    cached = Cached(document(charges, "200.00", "40.00"), time.time(), False, "upstream")
    with caplog.at_level(logging.WARNING, logger="invoices.selectors"):
        body = invoice_detail(access=ACCESS, cached=cached)
    assert body["totals"] == {
        "amount": "160.00",
        "vatAmount": "40.00",
        "totalAmount": "200.00",
        "linesMatchHeader": False,
    }
    assert body["totalAmount"] == "200.00"
    [record] = caplog.records
    message = record.getMessage()
    assert "lines_total=137.50" in message and "header_total=200.00" in message
    for personal in (CUSTOMER, "46701234567", "8000000001", "Mobil"):
        assert personal not in message


def test_vat_is_summed_per_rate_and_customer_charges_stand_alone(caplog):
    charges = [
        charge("1", None, "100.00", "25.00"),
        charge("2", None, "50.00", "3.00", rate="6.00"),
        charge("3", None, "-20.00", "-5.00", charge_type="discount"),
    ]
    cached = Cached(document(charges, "153.00", "23.00"), time.time(), False, "upstream")
    with caplog.at_level(logging.WARNING):
        body = invoice_detail(access=ACCESS, cached=cached)
    assert not caplog.records
    assert body["subscriptions"] == []
    assert body["customerCharges"]["subtotal"] == {
        "amount": "130.00",
        "vatAmount": "23.00",
        "totalAmount": "153.00",
    }
    assert body["vat"] == [
        {"vatRate": "25.00", "amount": "80.00", "vatAmount": "20.00"},
        {"vatRate": "6.00", "amount": "50.00", "vatAmount": "3.00"},
    ]
    assert body["usage"] == f"/api/v1/customers/{CUSTOMER}/invoices/8000000001/usage"
    assert "@id" not in body
