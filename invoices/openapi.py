"""The shapes of the invoice routes' bodies, with their examples.

Each serializer is the one definition of its body: the OpenAPI document is generated
from it, and invoices.selectors builds the BFF's own parts of an invoice with it
(billing_bff.web.openapi.shaped); the header's fields are the billing system's.
"""

from __future__ import annotations

from rest_framework import serializers

from billing_bff.web.openapi import (
    AmountField,
    HrefField,
    MetaSerializer,
    operations_field,
    paged_list,
)

STATUSES = ("open", "paid", "overdue", "credited")
CHARGE_TYPES = ("recurring", "usage", "one-off", "discount", "adjustment")


class _InvoiceFields(serializers.Serializer):
    """What an invoice's header and its full view share."""

    invoiceNo = serializers.CharField()
    customerNo = serializers.CharField()
    invoiceDate = serializers.DateField()
    dueDate = serializers.DateField()
    periodStart = serializers.DateField()
    periodEnd = serializers.DateField()
    currency = serializers.CharField()
    totalAmount = AmountField(help_text="Including VAT.")
    vatAmount = AmountField()
    status = serializers.ChoiceField(choices=STATUSES)
    operations = operations_field()


class InvoiceHeaderSerializer(_InvoiceFields):
    """An invoice's header: dates, totals and status."""

    charges = HrefField(required=False, help_text="The invoice with its charge lines.")


class ChargeSerializer(serializers.Serializer):
    chargeId = serializers.CharField()
    subscriptionNo = serializers.CharField(allow_null=True, help_text="Null on customer level.")
    productCode = serializers.CharField()
    description = serializers.CharField()
    chargeType = serializers.ChoiceField(choices=CHARGE_TYPES)
    periodStart = serializers.DateField()
    periodEnd = serializers.DateField()
    quantity = serializers.IntegerField()
    unitPrice = AmountField()
    amount = AmountField(help_text="Excluding VAT.")
    vatRate = AmountField()
    vatAmount = AmountField()


class SubtotalSerializer(serializers.Serializer):
    amount = AmountField(help_text="Excluding VAT.")
    vatAmount = AmountField()
    totalAmount = AmountField(help_text="Including VAT.")


class InvoiceSubscriptionSerializer(serializers.Serializer):
    """The charge lines of one subscription on the invoice."""

    subscriptionNo = serializers.CharField()
    charges = ChargeSerializer(many=True)
    subtotal = SubtotalSerializer()
    usage = HrefField(
        allow_null=True, help_text="Its billed usage records; null without a usage line."
    )


class CustomerChargesSerializer(serializers.Serializer):
    charges = ChargeSerializer(many=True)
    subtotal = SubtotalSerializer()


class VatLineSerializer(serializers.Serializer):
    vatRate = AmountField()
    amount = AmountField(help_text="The amount excluding VAT charged at this rate.")
    vatAmount = AmountField()


class InvoiceTotalsSerializer(serializers.Serializer):
    amount = AmountField(help_text="Excluding VAT, as billed.")
    vatAmount = AmountField()
    totalAmount = AmountField(help_text="Including VAT, as billed.")
    linesMatchHeader = serializers.BooleanField(
        help_text="Whether the charge lines add up to the billed totals."
    )


class InvoiceDetailSerializer(_InvoiceFields):
    """One invoice: its header, its charges grouped by subscription, VAT and totals."""

    usage = HrefField(required=False, help_text="The billed usage summary of this invoice.")
    subscriptions = InvoiceSubscriptionSerializer(many=True)
    customerCharges = CustomerChargesSerializer()
    vat = VatLineSerializer(many=True)
    totals = InvoiceTotalsSerializer()
    meta = MetaSerializer()


PagedInvoiceList = paged_list("PagedInvoiceList", InvoiceHeaderSerializer(many=True))


# --- examples -------------------------------------------------------------------------------
C = "/api/v1/customers/3996668"
META = {"asOf": "2026-11-21T19:54:23+00:00", "stale": False, "source": "upstream"}
HEADER = {
    "invoiceNo": "8032100000",
    "customerNo": "3996668",
    "invoiceDate": "2026-11-10",
    "dueDate": "2026-11-30",
    "periodStart": "2026-10-01",
    "periodEnd": "2026-10-31",
    "currency": "SEK",
    "totalAmount": "1188.66",
    "vatAmount": "237.73",
    "status": "open",
    "charges": f"{C}/invoices/8032100000",
    "operations": [],
}
INVOICES = {
    "count": 12,
    "next": f"https://mypages.example.com{C}/invoices?page=2&page_size=1",
    "previous": None,
    "results": [HEADER],
    "meta": META,
}
_CHARGES = [
    {
        "chargeId": "8032100000-001",
        "subscriptionNo": "46765474359",
        "productCode": "MOB-5GB",
        "description": "Mobil 5 GB",
        "chargeType": "recurring",
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "quantity": 1,
        "unitPrice": "159.20",
        "amount": "159.20",
        "vatRate": "25.00",
        "vatAmount": "39.80",
    },
    {
        "chargeId": "8032100000-002",
        "subscriptionNo": "46765474359",
        "productCode": "USAGE",
        "description": "Usage: calls, messages and data",
        "chargeType": "usage",
        "periodStart": "2026-10-01",
        "periodEnd": "2026-10-31",
        "quantity": 1,
        "unitPrice": "791.73",
        "amount": "791.73",
        "vatRate": "25.00",
        "vatAmount": "197.93",
    },
]
_TOTAL = {"amount": "950.93", "vatAmount": "237.73", "totalAmount": "1188.66"}
INVOICE = {
    **{k: v for k, v in HEADER.items() if k != "charges"},
    "usage": f"{C}/invoices/8032100000/usage",
    "subscriptions": [
        {
            "subscriptionNo": "46765474359",
            "charges": _CHARGES,
            "subtotal": _TOTAL,
            "usage": f"{C}/invoices/8032100000/subscriptions/46765474359/usage",
        }
    ],
    "customerCharges": {
        "charges": [],
        "subtotal": {"amount": "0.00", "vatAmount": "0.00", "totalAmount": "0.00"},
    },
    "vat": [{"vatRate": "25.00", "amount": "950.93", "vatAmount": "237.73"}],
    "totals": {**_TOTAL, "linesMatchHeader": True},
    "meta": META,
}
