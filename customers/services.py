"""Writes of a customer's data at PayEx: contact fields and recurring products.

Every write, whether it comes from the API or a page, runs the same steps:
1. the role may perform the operation at all (403, before anything is read);
2. the input is one the BFF accepts (the catalogue for orders; 400 on the field);
3. the resource, read fresh from PayEx, offers the operation now (409 if not);
4. the write at PayEx, one audit entry (ids and changed field names only), and the
   customer's cache generation bumped, so the next read shows the change.
The answer is kept as the fresh cached copy of the resource, so reading it back costs
no upstream call.

"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from billing_bff import caching
from billing_bff.access import CustomerAccess, audit, require_operation
from billing_bff.documents import offered
from billing_bff.problems import ValidationFailed
from billing_bff.upstream.client import get_client

from . import selectors

# PayEx keeps external references of up to 64 characters.
_REFERENCE_MAX = 64


def _keep(access: CustomerAccess, *, kind: str, parts: tuple, data: dict) -> caching.Cached:
    """After invalidation: the write's answer becomes the resource's fresh cached copy."""
    return caching.refresh(
        scope=caching.scope_of(access), kind=kind, parts=parts, load=lambda: data
    )


def external_reference(idempotency_key: str | None) -> str:
    """The upstream `externalReference` of an order: the client's Idempotency-Key, so a
    retry that reaches PayEx again gets the first product back. Without a key, a fresh
    one still makes the client's own transport retries safe."""
    if not idempotency_key:
        return uuid.uuid4().hex
    if len(idempotency_key) <= _REFERENCE_MAX:
        return idempotency_key
    return hashlib.sha256(idempotency_key.encode()).hexdigest()


# --- customer -----------------------------------------------------------------------------
def _changed_fields(current: dict, changes: dict) -> tuple[dict, list[str]]:
    """The changes that differ from the current profile, and their (dotted) field names."""
    changed, names = {}, []
    for name, value in changes.items():
        if name == "billingAddress":
            before = current.get("billingAddress") or {}
            parts = sorted(k for k, v in value.items() if (before.get(k) or None) != (v or None))
            if parts:
                changed[name] = value
                names.extend(f"billingAddress.{part}" for part in parts)
        elif current.get(name) != value:
            changed[name] = value
            names.append(name)
    return changed, names


def customer_update(*, access: CustomerAccess, changes: dict) -> caching.Cached:
    """Change contact fields (already validated by customers.validators)."""
    require_operation(access=access, kind="customer", rel="partial-update", offered=None)
    caching.ensure_writable(access)
    current = selectors.customer(access=access, mode=caching.RELOAD)
    require_operation(
        access=access,
        kind="customer",
        rel="partial-update",
        offered=offered(current.data, access=access),
    )
    changed, names = _changed_fields(current.data, changes)
    if not changed:
        return current
    updated = get_client().patch_customer(customer_no=access.customer_no, changes=changed)
    audit(access=access, action="customer.partial-update", details={"fields": names})
    caching.invalidate(access)
    if not isinstance(updated, dict) or str(updated.get("customerNo")) != access.customer_no:
        return selectors.customer(access=access, mode=caching.RELOAD)
    return _keep(access, kind=selectors.CUSTOMER, parts=(), data=updated)


# --- recurring products -------------------------------------------------------------------
def recurring_product_order(
    *,
    access: CustomerAccess,
    subscription_no: str | None,
    product_code: str,
    quantity: int,
    start_date: date | None,
    reference: str,
) -> caching.Cached:
    """Order a catalogue product for the customer, or for one subscription of it."""
    kind = "customer" if subscription_no is None else "subscription"
    rel = "create-recurring-product"
    require_operation(access=access, kind=kind, rel=rel, offered=None)
    caching.ensure_writable(access)
    product = selectors.orderable_product(access=access, product_code=product_code, level=kind)
    if product is None:
        raise ValidationFailed(errors={"productCode": [_("This product cannot be ordered here.")]})
    if subscription_no is None:
        parent = selectors.customer(access=access, mode=caching.RELOAD)
    else:
        parent = selectors.subscription(
            access=access, subscription_no=subscription_no, mode=caching.RELOAD
        )
    require_operation(
        access=access, kind=kind, rel=rel, offered=offered(parent.data, access=access)
    )
    # The description is written in the company's language, whatever the user's: a
    # retry of the same order must send PayEx the very same body.
    with override(settings.LANGUAGE_CODE):
        description = product.name
    created = get_client().create_recurring_product(
        customer_no=access.customer_no,
        subscription_no=subscription_no,
        product={
            "productCode": product.product_code,
            "quantity": quantity,
            "startDate": (start_date or timezone.localdate()).isoformat(),
            "description": description,
            "unitPrice": f"{product.unit_price:.2f}",
            "externalReference": reference,
        },
    )
    product_id = str(created.get("recurringProductId", ""))
    audit(
        access=access,
        action=f"{kind}.{rel}",
        details={
            "recurringProductId": product_id,
            "productCode": product.product_code,
            "subscriptionNo": subscription_no,
        },
    )
    caching.invalidate(access)
    parent_part = subscription_no or selectors.CUSTOMER_PARENT
    return _keep(
        access, kind=selectors.PRODUCTS, parts=("one", parent_part, product_id), data=created
    )


def _fresh_product(
    access: CustomerAccess, *, subscription_no: str | None, product_id: str, rel: str
) -> caching.Cached:
    require_operation(access=access, kind="recurring-product", rel=rel, offered=None)
    caching.ensure_writable(access)
    current = selectors.recurring_product(
        access=access, subscription_no=subscription_no, product_id=product_id, mode=caching.RELOAD
    )
    require_operation(
        access=access,
        kind="recurring-product",
        rel=rel,
        offered=offered(current.data, access=access),
    )
    return current


def recurring_product_update(
    *,
    access: CustomerAccess,
    subscription_no: str | None,
    product_id: str,
    quantity: int | None = None,
    end_date: date | None = None,
) -> caching.Cached:
    """Change a running product's quantity and/or the day it ends."""
    _fresh_product(
        access, subscription_no=subscription_no, product_id=product_id, rel="partial-update"
    )
    changes: dict = {}
    if quantity is not None:
        changes["quantity"] = quantity
    if end_date is not None:
        changes["endDate"] = end_date.isoformat()
    updated = get_client().patch_recurring_product(
        customer_no=access.customer_no,
        subscription_no=subscription_no,
        product_id=product_id,
        changes=changes,
    )
    audit(
        access=access,
        action="recurring-product.partial-update",
        details={
            "recurringProductId": product_id,
            "subscriptionNo": subscription_no,
            "fields": sorted(changes),
        },
    )
    caching.invalidate(access)
    return _keep(
        access,
        kind=selectors.PRODUCTS,
        parts=("one", subscription_no or selectors.CUSTOMER_PARENT, product_id),
        data=updated,
    )


def recurring_product_end(
    *, access: CustomerAccess, subscription_no: str | None, product_id: str
) -> None:
    """End a running product (PayEx's DELETE: it stays listed, with its end date)."""
    _fresh_product(access, subscription_no=subscription_no, product_id=product_id, rel="delete")
    get_client().delete_recurring_product(
        customer_no=access.customer_no, subscription_no=subscription_no, product_id=product_id
    )
    audit(
        access=access,
        action="recurring-product.delete",
        details={"recurringProductId": product_id, "subscriptionNo": subscription_no},
    )
    caching.invalidate(access)
