"""The customer-wide refresh: reload documents of all three areas into the cache.

The bodies of overview.tasks.refresh_customer; queued, de-duplicated and followed
through billing_bff.refresh.
"""

from __future__ import annotations

from billing_bff import caching
from billing_bff.access import CustomerAccess
from customers import selectors as customer_selectors
from invoices import selectors as invoice_selectors
from usage import selectors as usage_selectors


def refresh_customer_documents(*, access: CustomerAccess) -> None:
    """Reload the profile, subscriptions, customer-level products and invoice list now."""
    customer_selectors.customer(access=access, mode=caching.RELOAD)
    customer_selectors.subscriptions(access=access, mode=caching.RELOAD)
    customer_selectors.recurring_products(access=access, mode=caching.RELOAD)
    invoice_selectors.invoice_list(access=access, mode=caching.RELOAD)


def refresh_unbilled(access: CustomerAccess) -> int:
    """Reload the unbilled summary and every subscription's records; returns the sets loaded."""
    summary = usage_selectors.unbilled_summary(access=access, mode=caching.RELOAD)
    loaded = 0
    for item in summary.data["subscriptions"]:
        usage_selectors.unbilled_records(
            access=access, subscription_no=item["subscriptionNo"], mode=caching.RELOAD
        )
        loaded += 1
    return loaded
