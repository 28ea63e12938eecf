"""The usage pages: a subscription's usage since the last invoice and on one invoice.

The record pages read through the very selectors and query validation the API uses
(usage.selectors, usage.apis.UsageQuery): filters (usage type, zone, roaming, dates,
destination search), sorting and paging, totals of the filtered set, a per-day chart
(usage.charts, an inline SVG with the same figures as a table) and a link to the API's
CSV of the filtered set. Invalid filters are shown next to the form while the page lists
everything.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from billing_bff.access import CustomerAccess, audit_agent_read
from billing_bff.documents import checked_id, subscription_descriptions
from billing_bff.refresh import refresh_operations
from billing_bff.upstream.errors import UpstreamError
from billing_bff.web import formatting
from billing_bff.web.api import page_links
from billing_bff.web.pages import CustomerPage, page_url

from . import charts, selectors, store
from .validators import UsageQuery

PAGE_SIZE = 50
SORTS = (
    ("-time", gettext_lazy("Newest first")),
    ("time", gettext_lazy("Oldest first")),
    ("-amount", gettext_lazy("Highest amount first")),
    ("amount", gettext_lazy("Lowest amount first")),
    ("-volume", gettext_lazy("Largest volume first")),
    ("volume", gettext_lazy("Smallest volume first")),
)
ROAMING = (
    ("", gettext_lazy("Any")),
    ("true", gettext_lazy("Abroad")),
    ("false", gettext_lazy("At home")),
)
# Volume columns of the per-day table, in the order shown.
UNITS = (
    ("seconds", gettext_lazy("Call time")),
    ("bytes", gettext_lazy("Data")),
    ("events", gettext_lazy("Messages and events")),
)


def _filled(data: QueryDict) -> QueryDict:
    """The query without empty fields: a form sends every field, filled in or not."""
    filled = QueryDict(mutable=True)
    for name in data:
        values = [value for value in data.getlist(name) if value.strip()]
        if values:
            filled.setlist(name, values)
    return filled


def _chart(daily: list[dict]) -> charts.Chart | None:
    points = [
        (formatting.short_day(row["day"]), Decimal(row["amount"]), formatting.money(row["amount"]))
        for row in daily
    ]
    # Axis values without their currency: the caption names it.
    return charts.bar_chart(points, axis_text=formatting.axis_number)


def _record_row(record: dict) -> dict:
    unit, amount = store.base_volume(record)
    return {
        "record": record,
        "volume": formatting.volume(amount, unit),
    }


def _daily_rows(daily: list[dict], units: list[str]) -> list[dict]:
    return [
        {
            "day": row["day"],
            "count": row["count"],
            "amount": row["amount"],
            "volumes": [formatting.volume(row["volume"].get(unit, 0), unit) for unit in units],
        }
        for row in daily
    ]


def _type_rows(totals: dict) -> list[dict]:
    return [
        {
            "type": kind,
            "count": entry["count"],
            "amount": entry["amount"],
            "volume": ", ".join(
                formatting.volume(value, unit) for unit, value in entry["volume"].items()
            ),
        }
        for kind, entry in totals.get("byUsageType", {}).items()
    ]


class _UsagePage(CustomerPage):
    http_method_names = ["get", "head", "options"]
    template_name = "usage/records.html"

    def usage(self, request: HttpRequest, *, subscription_no: str, invoice_no: str | None):
        access = self.access
        subscription_no = checked_id(subscription_no)
        if invoice_no is not None:
            invoice_no = checked_id(invoice_no)
        filled = _filled(request.GET)
        params = UsageQuery(data=filled)
        valid = params.is_valid()
        query = params.to_query() if valid else store.Query(page_size=PAGE_SIZE)
        page = selectors.usage_page(
            access=access,
            subscription_no=subscription_no,
            invoice_no=invoice_no,
            query=query,
            with_daily=True,
        )
        audit_agent_read(access, "usage.read", subscriptionNo=subscription_no, invoiceNo=invoice_no)
        next_url, previous_url = page_links(
            request, page=query.page, page_size=query.page_size, count=page.count
        )
        daily = page.daily or []
        units = [unit for unit, _label in UNITS if any(unit in row["volume"] for row in daily)]
        csv_query = filled.copy()
        for name in ("page", "page_size", "format"):
            csv_query.pop(name, None)
        if not valid:
            csv_query = QueryDict(mutable=True)
        csv_query["format"] = "csv"
        if invoice_no is None:
            api = reverse(
                "usage:unbilled-records",
                kwargs={"customerNo": access.customer_no, "subscriptionNo": subscription_no},
            )
        else:
            api = reverse(
                "usage:billed-records",
                kwargs={
                    "customerNo": access.customer_no,
                    "invoiceNo": invoice_no,
                    "subscriptionNo": subscription_no,
                },
            )
        context = {
            "subscription_no": subscription_no,
            "subscription_name": subscription_descriptions(access).get(subscription_no, ""),
            "invoice_no": invoice_no,
            "subscription_url": page_url(
                "customer_pages:subscription", subscriptionNo=subscription_no
            ),
            "invoice_url": page_url("invoice_pages:invoice", invoiceNo=invoice_no)
            if invoice_no
            else None,
            "period_start": self._period_start(access) if invoice_no is None else None,
            "rows": [_record_row(record) for record in page.records],
            "count": page.count,
            "totals": page.totals,
            "type_rows": _type_rows(page.totals),
            "chart": _chart(daily),
            "daily_rows": _daily_rows(daily, units),
            "unit_labels": [label for unit, label in UNITS if unit in units],
            "page": query.page,
            "pages": max(1, -(-page.count // query.page_size)),
            "next_url": next_url,
            "previous_url": previous_url,
            "csv_url": f"{api}?{csv_query.urlencode()}",
            "meta": page.cached.meta,
            "can_refresh": invoice_no is None and bool(refresh_operations(access)),
            "filtered": query.filtered,
            "filter_errors": {} if valid else params.errors,
            "chosen": {
                "usage_type": filled.getlist("usage_type"),
                "zone": filled.getlist("zone"),
                "roaming": filled.get("roaming", ""),
                "date_from": filled.get("date_from", ""),
                "date_to": filled.get("date_to", ""),
                "q": filled.get("q", ""),
                "sort": query.sort,
            },
            "usage_types": store.USAGE_TYPES,
            "zones": store.ZONES,
            "sorts": SORTS,
            "roaming_choices": ROAMING,
        }
        return render(request, self.template_name, context, status=200 if valid else 400)

    @staticmethod
    def _period_start(access: CustomerAccess) -> str | None:
        try:
            return selectors.unbilled_summary(access=access).data.get("periodStart")
        except UpstreamError:
            return None


class UnbilledUsagePage(_UsagePage):
    """/subscriptions/<no>/usage/: the subscription's usage since the last invoice."""

    def get(self, request, subscriptionNo: str):
        return self.usage(request, subscription_no=subscriptionNo, invoice_no=None)


class BilledUsagePage(_UsagePage):
    """/invoices/<no>/subscriptions/<no>/usage/: the subscription's usage on one invoice."""

    def get(self, request, invoiceNo: str, subscriptionNo: str):
        return self.usage(request, subscription_no=subscriptionNo, invoice_no=invoiceNo)
