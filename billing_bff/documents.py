"""Upstream documents of one customer as every app reads and shows them.

- `checked_id`: a client-supplied id, or NotFound when it cannot be one (no cache key,
  no upstream call).
- `read_document`: one cached upstream document of the authorised customer, through
  billing_bff.caching, in the mode the caller states.
- `owned`: the one ownership check. The upstream scopes every path by customer; this
  guards the cache against a document of another customer all the same, which reads
  exactly like one that does not exist.
- `items_of`: the named list of an upstream collection.
- `present` / `body_of`: the one way an upstream document becomes a BFF body: `@id`
  and any ledger field go, upstream paths become BFF hrefs (or go when there is none),
  and `operations` are mapped and narrowed to the user's role. One cached copy serves
  every role, so narrowing happens here, when the body is built.
- `subscriptions` / `subscription_descriptions`: the customer's subscription list,
  which every area names subscriptions by.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from billing_bff import caching, refresh
from billing_bff.access import CustomerAccess, narrow_operations
from billing_bff.problems import NotFound
from billing_bff.upstream.client import get_client
from billing_bff.upstream.errors import UpstreamBadGateway, UpstreamError
from billing_bff.upstream.routes import to_bff_href

# Subscription numbers are phone numbers or ids like BB12345678; product, invoice ids
# are digits. Anything else cannot exist, so it is the same 404 without a cache key or
# upstream call.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
# Fields that name the ledger or the upstream resource itself: never shown.
_HIDDEN = frozenset({"@id", "ownerNo", "ledgerNo"})

SUBSCRIPTIONS = "subscriptions"
SUBSCRIPTION_LIST = caching.Document(SUBSCRIPTIONS, ("list",))


def checked_id(value: object) -> str:
    """A client-supplied id, or NotFound when it cannot be one."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise NotFound()
    return value


def read_document(
    access: CustomerAccess,
    document: caching.Document,
    *,
    load: Callable[[], Any],
    mode: caching.Mode = caching.READ,
    background: str | None = None,
) -> caching.Cached:
    """One cached upstream document of the customer.

    `background` names the refresh (billing_bff.refresh.RESOURCES) that reloads this
    document: a stale copy is then served while that refresh runs. Documents no
    refresh reloads are reloaded in line when stale.
    """
    return caching.read_through(
        scope=caching.scope_of(access),
        kind=document.kind,
        parts=document.parts,
        load=load,
        queue_refresh=refresh.refresh_queuer(access, resource=background) if background else None,
        mode=mode,
    )


def owned(document: object, access: CustomerAccess, *, api: str, required: bool = False) -> dict:
    """The document, if it is the authorised customer's; NotFound if another's.

    `required`: a document that names no customer is not the customer's either (the
    Usage API's invoice documents, whose paths carry no customer).
    """
    if not isinstance(document, dict):
        raise UpstreamBadGateway(api=api)
    owner = document.get("customerNo")
    if owner is None and required:
        raise NotFound()
    if owner is not None and str(owner) != access.customer_no:
        raise NotFound()
    return document


def items_of(document: object, name: str) -> list[dict]:
    """The named list of an upstream collection (`{"@id", name: [...], "operations"}`)."""
    items = document.get(name) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise UpstreamBadGateway(api="customer")
    return [item for item in items if isinstance(item, dict)]


# --- presenting ---------------------------------------------------------------------------
_GONE = object()


def _clean(value: object, *, owner_no: str, customer_no: str):
    """Drop hidden fields and nested operations; map upstream paths, dropping unmapped ones."""
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            if name in _HIDDEN or name == "operations":
                continue
            cleaned = _clean(item, owner_no=owner_no, customer_no=customer_no)
            if cleaned is not _GONE:
                out[name] = cleaned
        return out
    if isinstance(value, list):
        cleaned = [_clean(v, owner_no=owner_no, customer_no=customer_no) for v in value]
        return [v for v in cleaned if v is not _GONE]
    if isinstance(value, str) and "/billing/" in value:
        href = to_bff_href(value, owner_no=owner_no, customer_no=customer_no)
        return _GONE if href is None else href
    return value


def offered(resource: dict, *, access: CustomerAccess) -> list[dict]:
    """What the upstream offers for the resource now, for require_operation (not narrowed)."""
    return get_client().operations(resource, customer_no=access.customer_no)


def operations_of(resource: dict, *, access: CustomerAccess, kind: str) -> list[dict]:
    """The resource's operations with BFF hrefs, narrowed to the user's role."""
    return narrow_operations(
        kind=kind, role=access.role, operations=offered(resource, access=access)
    )


def present(resource: dict, *, access: CustomerAccess, kind: str | None) -> dict:
    """The resource as the BFF shows it; `kind` None for a part that has no operations."""
    body = _clean(resource, owner_no=get_client().owner_no, customer_no=access.customer_no)
    body["operations"] = [] if kind is None else operations_of(resource, access=access, kind=kind)
    return body


def body_of(cached: caching.Cached, *, access: CustomerAccess, kind: str) -> dict:
    """One resource as the API answers it: presented, with its freshness."""
    return {**present(cached.data, access=access, kind=kind), "meta": cached.meta}


def has_operation(body: dict, rel: str) -> bool:
    return any(op.get("rel") == rel for op in body.get("operations", ()))


# --- the subscription list ------------------------------------------------------------------
def subscriptions(*, access: CustomerAccess, mode: caching.Mode = caching.READ) -> caching.Cached:
    """The customer's subscriptions (the Customer API's list), cached."""

    def load() -> dict:
        document = get_client().list_subscriptions(customer_no=access.customer_no)
        items_of(document, "subscriptions")  # a document without its list is not cached
        return owned(document, access, api="customer")

    return read_document(access, SUBSCRIPTION_LIST, load=load, mode=mode, background="all")


def subscription_descriptions(access: CustomerAccess) -> dict[str, str]:
    """subscriptionNo -> its description, from the cached list; empty when it cannot be had
    (a page names its subscriptions with it, and shows their numbers without it)."""
    try:
        cached = subscriptions(access=access)
    except UpstreamError:
        return {}
    return {
        str(item.get("subscriptionNo")): str(item.get("description") or "")
        for item in items_of(cached.data, "subscriptions")
    }
