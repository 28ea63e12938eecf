"""Reads of a customer's profile, subscriptions, recurring products and catalogue.

Every read goes authorised scope -> Redis (billing_bff.caching) -> PayEx through
billing_bff.documents, and keeps the upstream's own document in the cache: the
operations in it are narrowed per user when a body is built (`documents.present`),
because one cached copy serves every role. `mode=caching.RELOAD` reloads from PayEx
whatever the copy's age; writes use it to check the operations the resource offers
right now, and the background refresh to re-warm the cache.
"""

from __future__ import annotations

from django.db.models import QuerySet

from billing_bff import caching
from billing_bff.access import CustomerAccess, Role, narrow_operations
from billing_bff.documents import (
    SUBSCRIPTIONS,
    checked_id,
    items_of,
    operations_of,
    owned,
    present,
    read_document,
)

# The subscription list is the one document every area names subscriptions by; it is
# read in billing_bff.documents and is part of this app's reads all the same.
from billing_bff.documents import subscriptions as subscriptions
from billing_bff.upstream.client import get_client
from billing_bff.web.openapi import shaped

from .models import CatalogueProduct
from .openapi import CatalogueProductSerializer

CUSTOMER, PRODUCTS = "customer", "recurring-products"
CUSTOMER_PARENT = "-"  # cache key part of the customer-level product list
PROFILE = caching.Document(CUSTOMER)


def _owned(document: object, access: CustomerAccess) -> dict:
    return owned(document, access, api="customer")


# --- customer -----------------------------------------------------------------------------
def customer(*, access: CustomerAccess, mode: caching.Mode = caching.READ) -> caching.Cached:
    def load() -> dict:
        return _owned(get_client().get_customer(customer_no=access.customer_no), access)

    return read_document(access, PROFILE, load=load, mode=mode, background="all")


def subscription(
    *, access: CustomerAccess, subscription_no: str, mode: caching.Mode = caching.READ
) -> caching.Cached:
    subscription_no = checked_id(subscription_no)

    def load() -> dict:
        return _owned(
            get_client().get_subscription(
                customer_no=access.customer_no, subscription_no=subscription_no
            ),
            access,
        )

    document = caching.Document(SUBSCRIPTIONS, ("one", subscription_no))
    return read_document(access, document, load=load, mode=mode)


def recurring_products(
    *, access: CustomerAccess, subscription_no: str | None = None, mode: caching.Mode = caching.READ
) -> caching.Cached:
    parent = CUSTOMER_PARENT if subscription_no is None else checked_id(subscription_no)

    def load() -> dict:
        document = get_client().list_recurring_products(
            customer_no=access.customer_no, subscription_no=subscription_no
        )
        items_of(document, "recurringProducts")
        return _owned(document, access)

    return read_document(
        access,
        caching.Document(PRODUCTS, ("list", parent)),
        load=load,
        mode=mode,
        # Only the customer-level list is part of the background refresh.
        background="all" if subscription_no is None else None,
    )


def recurring_product(
    *,
    access: CustomerAccess,
    product_id: str,
    subscription_no: str | None = None,
    mode: caching.Mode = caching.READ,
) -> caching.Cached:
    parent = CUSTOMER_PARENT if subscription_no is None else checked_id(subscription_no)
    product_id = checked_id(product_id)

    def load() -> dict:
        return _owned(
            get_client().get_recurring_product(
                customer_no=access.customer_no,
                subscription_no=subscription_no,
                product_id=product_id,
            ),
            access,
        )

    document = caching.Document(PRODUCTS, ("one", parent, product_id))
    return read_document(access, document, load=load, mode=mode)


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
            shaped(
                CatalogueProductSerializer,
                productCode=product.product_code,
                name=product.name,
                unitPrice=f"{product.unit_price:.2f}",
                vatRate=f"{product.vat_rate:.2f}",
                currency="SEK",
                chargeInterval=product.charge_interval,
                levels=levels,
                operations=[order_op] if order_op and "customer" in levels else [],
            )
        )
    return results, cached
