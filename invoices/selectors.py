"""Reads of a customer's invoices: headers (filtered, newest first) and one invoice's charges.

Both are cached per customer (kinds "invoices" and "invoice"); an invoice is immutable
once issued, so its window is long. `invoice_detail` groups the charge lines by
subscription with subtotals, keeps customer-level charges apart, sums VAT per rate and
links each subscription to its billed usage on the invoice. The header's totals are
what PayEx billed, so they are shown even when the lines do not add up to them; the
mismatch is logged for the operators instead.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from decimal import Decimal

from django.urls import reverse

from billing_bff import amounts, caching
from billing_bff.access import CustomerAccess
from billing_bff.documents import checked_id, items_of, owned, present, read_document
from billing_bff.upstream.client import get_client
from billing_bff.upstream.errors import UpstreamBadGateway
from billing_bff.web.openapi import shaped

from .openapi import (
    CustomerChargesSerializer,
    InvoiceSubscriptionSerializer,
    InvoiceTotalsSerializer,
    SubtotalSerializer,
    VatLineSerializer,
)

logger = logging.getLogger(__name__)

INVOICES, INVOICE = "invoices", "invoice"
INVOICE_LIST = caching.Document(INVOICES, ("list",))


def _own(document: object, access: CustomerAccess) -> dict:
    return owned(document, access, api="invoice")


def invoice_list(*, access: CustomerAccess, mode: caching.Mode = caching.READ) -> caching.Cached:
    def load() -> dict:
        document = _own(get_client().list_invoices(customer_no=access.customer_no), access)
        items_of(document, "invoices")
        return document

    return read_document(access, INVOICE_LIST, load=load, mode=mode, background="all")


def invoice(
    *, access: CustomerAccess, invoice_no: str, mode: caching.Mode = caching.READ
) -> caching.Cached:
    invoice_no = checked_id(invoice_no)

    def load() -> dict:
        document = get_client().get_invoice(customer_no=access.customer_no, invoice_no=invoice_no)
        document = _own(document, access)
        if not isinstance(document.get("charges"), list):
            raise UpstreamBadGateway(api="invoice")
        return document

    return read_document(access, caching.Document(INVOICE, (invoice_no,)), load=load, mode=mode)


def matching_invoices(
    cached: caching.Cached, *, year: int | None, status: str | None
) -> list[dict]:
    """The upstream's invoice items, newest first, filtered by invoice year and status.

    Not yet presented: a caller presents only the ones it shows (`present_headers`).
    """
    items = [
        item
        for item in items_of(cached.data, "invoices")
        if (year is None or str(item.get("invoiceDate", "")).startswith(f"{year:04d}-"))
        and (status is None or item.get("status") == status)
    ]
    items.sort(
        key=lambda h: (str(h.get("invoiceDate") or ""), str(h.get("invoiceNo") or "")),
        reverse=True,
    )
    return items


def present_headers(items: list[dict], *, access: CustomerAccess) -> list[dict]:
    """Invoice items as the BFF shows them: BFF hrefs, operations narrowed to the role."""
    return [present(item, access=access, kind="invoice") for item in items]


def years_of(cached: caching.Cached) -> list[int]:
    years = set()
    for item in items_of(cached.data, "invoices"):
        head = str(item.get("invoiceDate", ""))[:4]
        if head.isdigit():
            years.add(int(head))
    return sorted(years, reverse=True)


# --- one invoice --------------------------------------------------------------------------
def _subtotal(charges: list[dict]) -> dict:
    amount = sum((amounts.amount(c.get("amount")) for c in charges), amounts.ZERO)
    vat = sum((amounts.amount(c.get("vatAmount")) for c in charges), amounts.ZERO)
    return shaped(
        SubtotalSerializer,
        amount=amounts.text(amount),
        vatAmount=amounts.text(vat),
        totalAmount=amounts.text(amount + vat),
    )


def usage_href(*, customer_no: str, invoice_no: str, subscription_no: str) -> str:
    return reverse(
        "usage:billed-records",
        kwargs={
            "customerNo": customer_no,
            "invoiceNo": invoice_no,
            "subscriptionNo": subscription_no,
        },
    )


def invoice_detail(*, access: CustomerAccess, cached: caching.Cached) -> dict:
    document = cached.data
    charges = [c for c in document.get("charges", []) if isinstance(c, dict)]
    body = present(
        {k: v for k, v in document.items() if k != "charges"}, access=access, kind="invoice"
    )
    invoice_no = str(document.get("invoiceNo", ""))
    clean = [present(c, access=access, kind=None) for c in charges]
    for charge in clean:
        charge.pop("operations", None)

    groups: OrderedDict[str, list[dict]] = OrderedDict()
    customer_level = []
    for charge in clean:
        number = charge.get("subscriptionNo")
        if number:
            groups.setdefault(str(number), []).append(charge)
        else:
            customer_level.append(charge)
    subscriptions = []
    for number, lines in groups.items():
        has_usage = any(line.get("chargeType") == "usage" for line in lines)
        subscriptions.append(
            shaped(
                InvoiceSubscriptionSerializer,
                subscriptionNo=number,
                charges=lines,
                subtotal=_subtotal(lines),
                # Only subscriptions with a usage line have billed usage to show.
                usage=usage_href(
                    customer_no=access.customer_no, invoice_no=invoice_no, subscription_no=number
                )
                if has_usage
                else None,
            )
        )

    vat: dict[Decimal, dict[str, Decimal]] = {}
    for charge in clean:
        rate = amounts.amount(charge.get("vatRate"))
        entry = vat.setdefault(rate, {"amount": amounts.ZERO, "vatAmount": amounts.ZERO})
        entry["amount"] += amounts.amount(charge.get("amount"))
        entry["vatAmount"] += amounts.amount(charge.get("vatAmount"))

    lines = _subtotal(clean)
    header_total = amounts.amount(document.get("totalAmount"))
    header_vat = amounts.amount(document.get("vatAmount"))
    matches = amounts.amount(lines["totalAmount"]) == header_total and (
        amounts.amount(lines["vatAmount"]) == header_vat
    )
    if not matches:
        # Amounts only: the request id on the log line leads to the invoice if needed.
        logger.warning(
            "invoice lines do not add up to its header: lines_total=%s header_total=%s "
            "lines_vat=%s header_vat=%s",
            lines["totalAmount"],
            amounts.text(header_total),
            lines["vatAmount"],
            amounts.text(header_vat),
        )
    body.update(
        {
            "subscriptions": subscriptions,
            "customerCharges": shaped(
                CustomerChargesSerializer,
                charges=customer_level,
                subtotal=_subtotal(customer_level),
            ),
            "vat": [
                shaped(
                    VatLineSerializer,
                    vatRate=amounts.text(rate),
                    amount=amounts.text(v["amount"]),
                    vatAmount=amounts.text(v["vatAmount"]),
                )
                for rate, v in sorted(vat.items(), reverse=True)
            ],
            "totals": shaped(
                InvoiceTotalsSerializer,
                amount=amounts.text(header_total - header_vat),
                vatAmount=amounts.text(header_vat),
                totalAmount=amounts.text(header_total),
                linesMatchHeader=matches,
            ),
        }
    )
    return body
