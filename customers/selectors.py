"""Reads of a customer's profile, subscriptions, recurring products and catalogue.

Every read goes authorised scope -> Redis (billing_bff.caching) -> PayEx, and keeps the
upstream's own document in the cache: the operations in it are narrowed per user when
a body is built (`present`), because one cached copy serves every role. `force=True`
reloads from PayEx whatever the copy's age; writes use it to check the operations the
resource offers right now, and the background refresh to re-warm the cache.

`present` is the one way an upstream document becomes a BFF body: `@id` and any ledger
field go, upstream paths become BFF hrefs (or go when there is none), and `operations`
are mapped and narrowed to the user's role. invoices.selectors uses it too.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from billing_bff import caching
from billing_bff.access import CustomerAccess, Role, narrow_operations
from billing_bff.problems import NotFound
from billing_bff.upstream.client import get_client
from billing_bff.upstream.errors import UpstreamBadGateway
from billing_bff.upstream.routes import to_bff_href
from usage.services import refresh_queuer

from .models import CatalogueProduct

CUSTOMER, SUBSCRIPTIONS, PRODUCTS = "customer", "subscriptions", "recurring-products"
# Subscription numbers are phone numbers or ids like BB12345678; product ids are digits.
# Anything else cannot exist, so it is the same 404 without a cache key or upstream call.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
# Fields that name the ledger or the upstream resource itself: never shown.
_HIDDEN = frozenset({"@id", "ownerNo", "ledgerNo"})
CUSTOMER_PARENT = "-"  # cache key part of the customer-level product list
PROFILE = caching.Document(CUSTOMER)
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
    load,
    force: bool = False,
    background: bool = False,
) -> caching.Cached:
    """One cached upstream document of the customer.

    `background`: a stale copy is served while the background refresh reloads it; only
    for the documents `services.refresh_customer_documents` reloads, the others are
    reloaded in line.
    """
    return caching.read_through(
        scope=caching.scope_of(access),
        kind=document.kind,
        parts=document.parts,
        load=load,
        queue_refresh=refresh_queuer(access, resource="all") if background else None,
        force=force,
    )


def items_of(document: object, name: str) -> list[dict]:
    """The named list of an upstream collection (`{"@id", name: [...], "operations"}`)."""
    items = document.get(name) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise UpstreamBadGateway(api="customer")
    return [item for item in items if isinstance(item, dict)]


def _same_customer(document: dict, access: CustomerAccess) -> dict:
    # The upstream scopes every path by customer; this guards the cache against a
    # document of another customer all the same.
    if not isinstance(document, dict):
        raise UpstreamBadGateway(api="customer")
    owner = document.get("customerNo")
    if owner is not None and str(owner) != access.customer_no:
        raise NotFound()
    return document


# --- presenting ---------------------------------------------------------------------------
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


_GONE = object()


def operations_of(resource: dict, *, access: CustomerAccess, kind: str) -> list[dict]:
    """The resource's operations with BFF hrefs, narrowed to the user's role."""
    offered = get_client().operations(resource, customer_no=access.customer_no)
    return narrow_operations(kind=kind, role=access.role, operations=offered)


def offered(resource: dict, *, access: CustomerAccess) -> list[dict]:
    """What the upstream offers for the resource now, for require_operation (not narrowed)."""
    return get_client().operations(resource, customer_no=access.customer_no)


def present(resource: dict, *, access: CustomerAccess, kind: str | None) -> dict:
    body = _clean(resource, owner_no=get_client().owner_no, customer_no=access.customer_no)
    body["operations"] = [] if kind is None else operations_of(resource, access=access, kind=kind)
    return body


def has_operation(body: dict, rel: str) -> bool:
    return any(op.get("rel") == rel for op in body.get("operations", ()))


# --- customer -----------------------------------------------------------------------------
def customer(*, access: CustomerAccess, force: bool = False) -> caching.Cached:
    def load() -> dict:
        return _same_customer(get_client().get_customer(customer_no=access.customer_no), access)

    return read_document(access, PROFILE, load=load, force=force, background=True)


def subscriptions(*, access: CustomerAccess, force: bool = False) -> caching.Cached:
    def load() -> dict:
        document = get_client().list_subscriptions(customer_no=access.customer_no)
        items_of(document, "subscriptions")  # a document without its list is not cached
        return _same_customer(document, access)

    return read_document(access, SUBSCRIPTION_LIST, load=load, force=force, background=True)


def subscription(
    *, access: CustomerAccess, subscription_no: str, force: bool = False
) -> caching.Cached:
    subscription_no = checked_id(subscription_no)

    def load() -> dict:
        return _same_customer(
            get_client().get_subscription(
                customer_no=access.customer_no, subscription_no=subscription_no
            ),
            access,
        )

    document = caching.Document(SUBSCRIPTIONS, ("one", subscription_no))
    return read_document(access, document, load=load, force=force)


def recurring_products(
    *, access: CustomerAccess, subscription_no: str | None = None, force: bool = False
) -> caching.Cached:
    parent = CUSTOMER_PARENT if subscription_no is None else checked_id(subscription_no)

    def load() -> dict:
        document = get_client().list_recurring_products(
            customer_no=access.customer_no, subscription_no=subscription_no
        )
        items_of(document, "recurringProducts")
        return _same_customer(document, access)

    return read_document(
        access,
        caching.Document(PRODUCTS, ("list", parent)),
        load=load,
        force=force,
        # Only the customer-level list is part of the background refresh.
        background=subscription_no is None,
    )


def recurring_product(
    *,
    access: CustomerAccess,
    product_id: str,
    subscription_no: str | None = None,
    force: bool = False,
) -> caching.Cached:
    parent = CUSTOMER_PARENT if subscription_no is None else checked_id(subscription_no)
    product_id = checked_id(product_id)

    def load() -> dict:
        return _same_customer(
            get_client().get_recurring_product(
                customer_no=access.customer_no,
                subscription_no=subscription_no,
                product_id=product_id,
            ),
            access,
        )

    document = caching.Document(PRODUCTS, ("one", parent, product_id))
    return read_document(access, document, load=load, force=force)


# --- bodies -------------------------------------------------------------------------------
def subscription_bodies(*, access: CustomerAccess, cached: caching.Cached) -> list[dict]:
    return [
        present(item, access=access, kind="subscription")
        for item in items_of(cached.data, "subscriptions")
    ]


def product_bodies(*, access: CustomerAccess, cached: caching.Cached) -> list[dict]:
    """Recurring products, running ones first, then by start date (newest first)."""
    bodies = [
        present(item, access=access, kind="recurring-product")
        for item in items_of(cached.data, "recurringProducts")
    ]
    bodies.sort(key=lambda p: str(p.get("startDate") or ""), reverse=True)
    bodies.sort(key=lambda p: p.get("endDate") is not None)
    return bodies


# --- the self-service catalogue -----------------------------------------------------------
LEVELS = (CatalogueProduct.Level.CUSTOMER.value, CatalogueProduct.Level.SUBSCRIPTION.value)


def orderable_products(
    *, access: CustomerAccess, level: str | None = None
) -> QuerySet[CatalogueProduct]:
    """What this user may order for this customer: agents any active product, owners
    those marked for them, everyone else nothing. `level` narrows to one level."""
    products = CatalogueProduct.objects.active()
    if access.role == Role.OWNER:
        products = products.filter(owners_may_order=True)
    elif access.role != Role.AGENT:
        return products.none()
    if level is not None:
        products = products.for_level(level)
    return products


def orderable_product(*, access: CustomerAccess, product_code: object, level: str):
    """The catalogue product this user may order at this level, or None."""
    if not isinstance(product_code, str):
        return None
    return orderable_products(access=access, level=level).filter(product_code=product_code).first()


def catalogue(*, access: CustomerAccess) -> tuple[list[dict], caching.Cached]:
    """The catalogue for this user and customer, each product with the levels open to them.

    The customer level is open when the customer's operations (narrowed to the role)
    offer create-recurring-product; the subscription level when the role may order on
    a subscription at all (each subscription's own operations say which one).
    """
    cached = customer(access=access)
    customer_ops = operations_of(cached.data, access=access, kind="customer")
    order_op = next((op for op in customer_ops if op["rel"] == "create-recurring-product"), None)
    subscription_open = bool(
        narrow_operations(
            kind="subscription",
            role=access.role,
            operations=[{"rel": "create-recurring-product", "method": "POST", "href": ""}],
        )
    )
    open_levels = {
        CatalogueProduct.Level.CUSTOMER.value: order_op is not None,
        CatalogueProduct.Level.SUBSCRIPTION.value: subscription_open,
    }
    results = []
    for product in orderable_products(access=access):
        levels = [level for level in product.levels if open_levels[level]]
        if not levels:
            continue
        results.append(
            {
                "productCode": product.product_code,
                "name": product.name,
                "unitPrice": f"{product.unit_price:.2f}",
                "vatRate": f"{product.vat_rate:.2f}",
                "currency": "SEK",
                "chargeInterval": product.charge_interval,
                "levels": levels,
                "operations": [order_op] if order_op and "customer" in levels else [],
            }
        )
    return results, cached


def body_of(cached: caching.Cached, *, access: CustomerAccess, kind: str) -> dict:
    """One resource as the API answers it: presented, with its freshness."""
    return {**present(cached.data, access=access, kind=kind), "meta": cached.meta}
