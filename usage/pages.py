"""The usage pages: a subscription's usage since the last invoice and on one invoice, and
"refresh now".

The record pages read through the very selectors and query validation the API uses
(usage.selectors, usage.apis.UsageQuery): filters (usage type, zone, roaming, dates,
destination search), sorting and paging, totals of the filtered set, a per-day chart
(usage.charts, an inline SVG with the same figures as a table) and a link to the API's
CSV of the filtered set. Invalid filters are shown next to the form while the page lists
everything. `refresh_now` queues a refresh of the customer through the policy.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing_bff.access import CustomerAccess, customer_page, require_operation
from billing_bff.api import page_links
from billing_bff.upstream.errors import UpstreamError
from customers import formatting
from customers import selectors as customer_selectors
from customers.views import CustomerPage, page_url

from . import charts, selectors, services, store
from .apis import UsageQuery

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
_MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _filled(data: QueryDict) -> QueryDict:
    """The query without empty fields: a form sends every field, filled in or not."""
    filled = QueryDict(mutable=True)
    for name in data:
        values = [value for value in data.getlist(name) if value.strip()]
        if values:
            filled.setlist(name, values)
    return filled


def _short_day(day: str) -> str:
    months = _MONTHS["en" if (get_language() or "").startswith("en") else "sv"]
    try:
        return f"{int(day[8:10])} {months[int(day[5:7]) - 1]}"
    except (ValueError, IndexError):
        return day


def _chart(daily: list[dict]) -> charts.Chart | None:
    points = [
        (_short_day(row["day"]), Decimal(row["amount"]), formatting.money(row["amount"]))
        for row in daily
    ]
    return charts.bar_chart(points, axis_text=_axis_text)


def _axis_text(value: Decimal) -> str:
    """An axis value without its currency (the caption names it): `1 250` or `2,50`."""
    english = (get_language() or "").startswith("en")
    text = f"{int(value):,}" if value == value.to_integral_value() else f"{value:,.2f}"
    if english:
        return text
    return text.replace(",", formatting.NBSP).replace(".", ",")


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


def _subscription_name(access: CustomerAccess, subscription_no: str) -> str:
    """The subscription's description, from the cached list when it can be had."""
    try:
        cached = customer_selectors.subscriptions(access=access)
    except UpstreamError:
        return ""
    for item in customer_selectors.items_of(cached.data, "subscriptions"):
        if item.get("subscriptionNo") == subscription_no:
            return str(item.get("description") or "")
    return ""


class _UsagePage(CustomerPage):
    http_method_names = ["get", "head", "options"]
    template_name = "usage/records.html"

    def usage(self, request: HttpRequest, *, subscription_no: str, invoice_no: str | None):
        access = self.access
        subscription_no = customer_selectors.checked_id(subscription_no)
        if invoice_no is not None:
            invoice_no = customer_selectors.checked_id(invoice_no)
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
            "subscription_name": _subscription_name(access, subscription_no),
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
            "can_refresh": invoice_no is None and bool(selectors.refresh_operations(access=access)),
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


@customer_page
@require_POST
def refresh_now(request: HttpRequest, *, access: CustomerAccess) -> HttpResponse:
    """Queue a refresh of the customer's data (deduplicated) through the policy.

    The page's script asks for JSON and follows the refresh in the API's status
    (statusUrl); a plain form post is redirected back with a message.
    """
    require_operation(access=access, kind="customer", rel="refresh", offered=None)
    ids = {"ledger_no": access.ledger_no, "customer_no": access.customer_no}
    task_id, _queued = services.queue_refresh(**ids, resource="all")
    status_url = reverse(
        "usage:refresh-status", kwargs={"customerNo": access.customer_no, "taskId": task_id}
    )
    if "application/json" in request.headers.get("Accept", ""):
        state = services.refresh_status(**ids, task_id=task_id) or "queued"
        return JsonResponse(
            {"taskId": task_id, "status": state, "statusUrl": status_url}, status=202
        )
    messages.info(
        request,
        _(
            "We are fetching the latest figures from the billing system. "
            "Reload the page in a minute to see them."
        ),
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    return redirect(next_url)
