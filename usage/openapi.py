"""The shapes the OpenAPI document gives the usage routes, with their examples.

Documentation only: usage.selectors and usage.store build the bodies.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from billing_bff.web import openapi as doc
from billing_bff.web.openapi import (
    AmountField,
    HrefField,
    MetaSerializer,
    operations_field,
    paged_list,
)

from . import store


class UsageSummaryLineSerializer(serializers.Serializer):
    subscriptionNo = serializers.CharField()
    recordCount = serializers.IntegerField(allow_null=True)
    totalAmount = AmountField(allow_null=True, help_text="Excluding VAT.")
    usage = HrefField(allow_null=True, help_text="The subscription's usage records.")


class UsageSummarySerializer(serializers.Serializer):
    """Usage per subscription: billed on one invoice, or unbilled since `periodStart`."""

    customerNo = serializers.CharField()
    invoiceNo = serializers.CharField(required=False, help_text="Billed usage only.")
    periodStart = serializers.DateField(
        required=False, help_text="Unbilled usage only: its first day."
    )
    subscriptions = UsageSummaryLineSerializer(many=True)
    operations = operations_field()
    meta = MetaSerializer()


class UsageRecordSerializer(serializers.Serializer):
    """One call, message, data session or purchase, as the billing system rated it."""

    usageId = serializers.CharField()
    startTime = serializers.DateTimeField()
    usageType = serializers.ChoiceField(choices=store.USAGE_TYPES)
    destination = serializers.CharField()
    destinationCode = serializers.CharField()
    zone = serializers.ChoiceField(choices=store.ZONES)
    roaming = serializers.BooleanField()
    volume = serializers.FloatField(help_text="In `volumeCode` units.")
    volumeCode = serializers.CharField(help_text="S, MIN, E, B, KB, MB or GB.")
    unitPrice = AmountField()
    amount = AmountField(help_text="Excluding VAT.")
    currency = serializers.CharField()
    detailInfo = serializers.CharField()


class TypeTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = AmountField()
    volume = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Volume in base units: `seconds`, `bytes`, `events` (or `units`).",
    )


class UsageTotalsSerializer(serializers.Serializer):
    """Totals of the whole filtered list, not only of this page."""

    count = serializers.IntegerField()
    amount = AmountField()
    byUsageType = serializers.DictField(child=TypeTotalsSerializer())


PagedUsageRecordList = paged_list(
    "PagedUsageRecordList",
    UsageRecordSerializer(many=True),
    totals=UsageTotalsSerializer(),
    subscriptionNo=serializers.CharField(),
    invoiceNo=serializers.CharField(allow_null=True, help_text="Null for unbilled usage."),
)


FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["json", "csv"],
    description="`csv` streams the whole filtered list as CSV (as `Accept: text/csv` does).",
)


# --- examples -------------------------------------------------------------------------------
C = "/api/v1/customers/3996668"
META = {"asOf": "2026-11-21T19:54:23+00:00", "stale": False, "source": "cache"}
UNBILLED_SUMMARY = {
    "customerNo": "3996668",
    "periodStart": "2026-11-01",
    "subscriptions": [
        {
            "subscriptionNo": "46765474359",
            "recordCount": 126,
            "totalAmount": "248.89",
            "usage": f"{C}/subscriptions/46765474359/usage",
        }
    ],
    "operations": [{"rel": "refresh", "method": "POST", "href": f"{C}/refresh"}],
    "meta": META,
}
BILLED_SUMMARY = {
    "customerNo": "3996668",
    "invoiceNo": "8032100000",
    "subscriptions": [
        {
            "subscriptionNo": "46765474359",
            "recordCount": 187,
            "totalAmount": "791.73",
            "usage": f"{C}/invoices/8032100000/subscriptions/46765474359/usage",
        }
    ],
    "operations": [],
    "meta": META,
}
RECORDS = {
    "count": 126,
    "next": f"https://mypages.example.com{C}/subscriptions/46765474359/usage?page=2&page_size=1",
    "previous": None,
    "results": [
        {
            "usageId": "46765474359-202611-000124",
            "startTime": "2026-11-21T17:37:45+01:00",
            "usageType": "voice",
            "destination": "46733781XXX",
            "destinationCode": "SE-MOB",
            "zone": "domestic",
            "roaming": False,
            "volume": 1616,
            "volumeCode": "S",
            "unitPrice": "0.49",
            "amount": "13.23",
            "currency": "SEK",
            "detailInfo": "Samtal till mobil",
        }
    ],
    "meta": META,
    "totals": {
        "count": 126,
        "amount": "248.89",
        "byUsageType": {
            "data": {"count": 31, "amount": "0.00", "volume": {"bytes": 1561795584.0}},
            "voice": {"count": 48, "amount": "158.79", "volume": {"seconds": 17426.0}},
        },
    },
    "subscriptionNo": "46765474359",
    "invoiceNo": None,
}
CSV = (
    "usageId,startTime,usageType,destination,destinationCode,zone,roaming,volume,volumeCode,"
    "unitPrice,amount,currency,detailInfo\r\n"
    "46765474359-202611-000124,2026-11-21T17:37:45+01:00,voice,46733781XXX,SE-MOB,domestic,"
    "False,1616,S,0.49,13.23,SEK,Samtal till mobil\r\n"
)
CSV_ANSWER = {
    (200, "text/csv"): OpenApiResponse(
        response=OpenApiTypes.STR,
        description="With `format=csv` or `Accept: text/csv`: every record of the filtered "
        "list, streamed, as an attachment.",
        examples=[OpenApiExample("CSV", value=CSV)],
    )
}
# --- the routes' schemas (applied in usage.apis) ---------------------------------------------
unbilled_summary = doc.read_schema(
    "usage",
    "Unbilled usage per subscription, since the first unbilled day",
    UsageSummarySerializer,
    UNBILLED_SUMMARY,
)
billed_summary = doc.read_schema(
    "usage",
    "Billed usage on one invoice, per subscription",
    UsageSummarySerializer,
    BILLED_SUMMARY,
)


def records(query, summary: str):
    """The record lists: JSON pages with totals, or the whole filtered list as CSV."""
    return doc.read_schema(
        "usage",
        summary,
        PagedUsageRecordList,
        RECORDS,
        statuses=doc.LIST,
        parameters=[query, FORMAT],
        answers=CSV_ANSWER,
        errors={"sort": ['"colour" is not a valid choice.']},
        description=(
            "Filters combine: `usage_type` and `zone` take several values (repeated or "
            "comma-separated), `date_from`/`date_to` are inclusive days, `q` searches the "
            "destination. `totals` are of the whole filtered list."
        ),
    )
