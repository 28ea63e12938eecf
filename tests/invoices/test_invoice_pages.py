"""/invoices/ and /invoices/<no>/: the same figures as the API, readable on a phone."""

import re
from decimal import Decimal

from billing_bff.web.formatting import money
from tests.customers import upstream as sandbox_data
from tests.customers.test_pages import browser

NBSP = "\u00a0"


def test_the_list_is_an_accessible_table_newest_first(demo):
    html = browser(demo.anna).get("/invoices/").content.decode()
    assert "<h1>Fakturor</h1>" in html
    assert '<caption id="invoices-caption">12 fakturor</caption>' in html
    assert 'role="region" aria-labelledby="invoices-caption" tabindex="0"' in html
    assert html.count('<th scope="col"') == 6
    newest = sandbox_data.invoices(demo.family)[0]
    first_row = html[html.index("<tbody>") :]
    assert f'<a href="/invoices/{newest["invoiceNo"]}/">' in first_row[:400]
    assert money(newest["totalAmount"], language="sv") in html
    assert newest["invoiceDate"] in html  # ISO dates in Swedish


def test_the_list_filters_and_tells_about_a_bad_filter(demo):
    client = browser(demo.anna)
    year = sandbox_data.invoices(demo.family)[-1]["invoiceDate"][:4]
    html = client.get("/invoices/", {"year": year}).content.decode()
    assert f'<option value="{year}" selected>' in html
    response = client.get("/invoices/", {"status": "lost"})
    assert response.status_code == 400
    assert 'id="filter-status-errors"' in response.content.decode()


def test_an_invoice_page_groups_charges_and_shows_the_totals(demo):
    invoice = sandbox_data.invoices(demo.family)[0]
    number = invoice["invoiceNo"]
    full = sandbox_data.get("invoice", f"/customers/{demo.family}/invoices/{number}")
    html = browser(demo.anna).get(f"/invoices/{number}/").content.decode()
    assert f"<h1>Faktura {number}</h1>" in html
    subscriptions = {c["subscriptionNo"] for c in full["charges"] if c["subscriptionNo"]}
    for subscription_no in subscriptions:
        assert f'<a href="/subscriptions/{subscription_no}/">{subscription_no}</a>' in html
    assert html.count('<th scope="row" colspan="4">Delsumma</th>') == len(subscriptions) + (
        any(not c["subscriptionNo"] for c in full["charges"])
    )
    excl = Decimal(full["totalAmount"]) - Decimal(full["vatAmount"])
    assert money(str(excl), language="sv") in html
    assert f"{money(full['totalAmount'], language='sv')}</td>" in html
    assert f"25{NBSP}%" in html


def test_an_invoice_page_in_english(demo):
    invoice = sandbox_data.invoices(demo.family)[0]
    html = browser(demo.anna, "en").get(f"/invoices/{invoice['invoiceNo']}/").content.decode()
    assert "To pay incl. VAT" in html
    assert money(invoice["totalAmount"], language="en") in html
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", html)


def test_another_customers_invoice_page_is_a_404(demo):
    theirs = sandbox_data.invoices(demo.business)[0]["invoiceNo"]
    assert browser(demo.anna).get(f"/invoices/{theirs}/").status_code == 404
