"""Reads of billed and unbilled usage: authorised scope -> Redis -> PayEx.

Every function takes the CustomerAccess the request was authorised for; cache keys are
built from it (billing_bff.caching.Scope), never from ids the client chose alone. The
Usage API's invoice routes carry no customer, so a billed read first checks, through
the cached billed summary, that the invoice belongs to the authorised customer and the
subscription appears on it: anything else is the same 404 as a missing invoice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from billing_bff import caching
from billing_bff.access import CustomerAccess
from billing_bff.documents import checked_id, owned
from billing_bff.problems import NotFound
from billing_bff.refresh import refresh_queuer
from billing_bff.upstream.client import get_client
from billing_bff.upstream.errors import UpstreamBadGateway
from billing_bff.upstream.routes import to_bff_href
from billing_bff.web.openapi import shaped

from . import store
from .openapi import UsageSummaryLineSerializer, UsageSummarySerializer

UNBILLED = "unbilled-usage"
BILLED = "billed-usage"
UNBILLED_SUMMARY = caching.Document(UNBILLED, ("summary",))


@dataclass
class UsagePage:
    records: list[dict]
    count: int
    totals: dict
    cached: caching.Cached  # the set's summary, for meta
    subscription_no: str
    invoice_no: str | None
    daily: list[dict] | None = None  # per day of the filtered records, when asked for


def summary_body(cached: caching.Cached, *, operations: list[dict]) -> dict:
    """A usage summary as the API answers it (and the overview shows it)."""
    return shaped(UsageSummarySerializer, **cached.data, operations=operations, meta=cached.meta)


def _summary_body(data: dict, access: CustomerAccess, *, invoice_no: str | None) -> dict:
    client = get_client()
    subscriptions = []
    for item in data.get("subscriptions") or []:
        sub = str(item.get("subscriptionNo", ""))
        href = to_bff_href(
            str(item.get("usage", "")), owner_no=client.owner_no, customer_no=access.customer_no
        )
        subscriptions.append(
            shaped(
                UsageSummaryLineSerializer,
                subscriptionNo=sub,
                recordCount=item.get("recordCount"),
                totalAmount=item.get("totalAmount"),
                usage=href,
            )
        )
    body = {"customerNo": access.customer_no, "subscriptions": subscriptions}
    if invoice_no is not None:
        body["invoiceNo"] = invoice_no
    if data.get("periodStart"):
        body["periodStart"] = data["periodStart"]
    return body


def unbilled_summary(
    *, access: CustomerAccess, mode: caching.Mode = caching.READ
) -> caching.Cached:
    def load() -> dict:
        return owned(
            get_client().get_unbilled_usage_summary(customer_no=access.customer_no),
            access,
            api="usage",
        )

    cached = caching.read_through(
        scope=caching.scope_of(access),
        kind=UNBILLED_SUMMARY.kind,
        parts=UNBILLED_SUMMARY.parts,
        load=load,
        queue_refresh=refresh_queuer(access, resource="unbilled"),
        mode=mode,
    )
    cached.data = _summary_body(cached.data, access, invoice_no=None)
    return cached


def billed_summary(*, access: CustomerAccess, invoice_no: str) -> caching.Cached:
    # An id that cannot exist is the same 404, with no cache key and no upstream call.
    invoice_no = checked_id(invoice_no)

    def load() -> dict:
        # The Usage API's invoice paths carry no customer: the document must name ours.
        return owned(
            get_client().get_billed_usage_summary(invoice_no=invoice_no),
            access,
            api="usage",
            required=True,
        )

    cached = caching.read_through(
        scope=caching.scope_of(access), kind=BILLED, parts=("summary", invoice_no), load=load
    )
    cached.data = _summary_body(cached.data, access, invoice_no=invoice_no)
    return cached


def _set_summary(
    access: CustomerAccess, *, kind: str, parts: tuple, fetch, queue_refresh=None, mode=caching.READ
) -> tuple[str, caching.Cached]:
    scope = caching.scope_of(access)
    set_key = scope.key(kind, "set", *parts)

    def load() -> dict:
        body = fetch()
        records = body.get("usage")
        if not isinstance(records, list):
            raise UpstreamBadGateway(api="usage")
        return store.write_set(set_key, records)

    cached = caching.read_through(
        scope=scope,
        kind=kind,
        parts=("records", *parts),
        load=load,
        queue_refresh=queue_refresh,
        mode=mode,
    )
    return set_key, cached


def unbilled_records(
    *, access: CustomerAccess, subscription_no: str, mode: caching.Mode = caching.READ
) -> tuple[str, caching.Cached]:
    subscription_no = checked_id(subscription_no)
    return _set_summary(
        access,
        kind=UNBILLED,
        parts=(subscription_no,),
        fetch=lambda: get_client().get_unbilled_usage(
            customer_no=access.customer_no, subscription_no=subscription_no
        ),
        queue_refresh=refresh_queuer(access, resource="unbilled"),
        mode=mode,
    )


def billed_records(
    *,
    access: CustomerAccess,
    invoice_no: str,
    subscription_no: str,
    mode: caching.Mode = caching.READ,
) -> tuple[str, caching.Cached]:
    invoice_no, subscription_no = checked_id(invoice_no), checked_id(subscription_no)
    summary = billed_summary(access=access, invoice_no=invoice_no)
    if subscription_no not in {s["subscriptionNo"] for s in summary.data["subscriptions"]}:
        raise NotFound()
    return _set_summary(
        access,
        kind=BILLED,
        parts=(invoice_no, subscription_no),
        fetch=lambda: get_client().get_billed_usage(
            invoice_no=invoice_no, subscription_no=subscription_no
        ),
        mode=mode,
    )


def usage_set(
    *,
    access: CustomerAccess,
    subscription_no: str,
    invoice_no: str | None = None,
    mode: caching.Mode = caching.READ,
) -> tuple[str, caching.Cached]:
    """The set's Redis key and its cached summary, billed when `invoice_no` is given."""
    if invoice_no is not None:
        return billed_records(
            access=access, invoice_no=invoice_no, subscription_no=subscription_no, mode=mode
        )
    return unbilled_records(access=access, subscription_no=subscription_no, mode=mode)


def read_set(
    *,
    access: CustomerAccess,
    subscription_no: str,
    invoice_no: str | None,
    read: Callable[[str, dict], Any],
) -> tuple[Any, caching.Cached]:
    """`read(set_key, summary)` of a usage set, and the set's cached summary.

    A set's records live apart from its summary (usage.store) and may be evicted under a
    summary that survived; the store then raises LookupError, and the set is loaded
    again, once, before `read` is tried again. The one way to read a set's records.
    """
    set_key, cached = usage_set(
        access=access, subscription_no=subscription_no, invoice_no=invoice_no
    )
    try:
        return read(set_key, cached.data), cached
    except LookupError:
        set_key, cached = usage_set(
            access=access,
            subscription_no=subscription_no,
            invoice_no=invoice_no,
            mode=caching.RELOAD,
        )
        return read(set_key, cached.data), cached


def usage_page(
    *,
    access: CustomerAccess,
    subscription_no: str,
    query: store.Query,
    invoice_no: str | None = None,
    with_daily: bool = False,
) -> UsagePage:
    """One page of the query's view; `with_daily` adds its per-day figures (the chart's)."""

    def read(set_key: str, summary: dict):
        records, count, totals = store.read_page(set_key, summary, query)
        daily = store.daily_totals(set_key, summary, query) if with_daily else None
        return records, count, totals, daily

    (records, count, totals, daily), cached = read_set(
        access=access, subscription_no=subscription_no, invoice_no=invoice_no, read=read
    )
    return UsagePage(records, count, totals, cached, subscription_no, invoice_no, daily)
