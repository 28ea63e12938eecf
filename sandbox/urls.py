"""Every route of the PayEx Billing contract, plus the sandbox's own /_sandbox/ control API.

Templates use the contract's placeholder names; the stats count requests by them.
"""

from django.urls import path

from . import control, views
from .gateway import billing_route

CUSTOMER = "/billing/customer/v1/{ownerNo}/customers/{customerNo}"
SUBSCRIPTION = f"{CUSTOMER}/subscriptions/{{subscriptionNo}}"
INVOICE = "/billing/invoice/v1/{ownerNo}/customers/{customerNo}/invoices"
USAGE = "/billing/usage/v1/{ownerNo}"

urlpatterns = [
    # Customer API
    billing_route(CUSTOMER, GET=views.get_customer, PATCH=views.patch_customer),
    billing_route(f"{CUSTOMER}/subscriptions", GET=views.list_subscriptions),
    billing_route(SUBSCRIPTION, GET=views.get_subscription),
    *(
        route
        for parent in (CUSTOMER, SUBSCRIPTION)
        for route in (
            billing_route(
                f"{parent}/recurring-products",
                GET=views.list_recurring_products,
                POST=views.create_recurring_product,
            ),
            billing_route(
                f"{parent}/recurring-products/{{recurringProductId}}",
                GET=views.get_recurring_product,
                PATCH=views.patch_recurring_product,
                DELETE=views.delete_recurring_product,
            ),
        )
    ),
    # Invoice API
    billing_route(INVOICE, GET=views.list_invoices),
    billing_route(f"{INVOICE}/{{invoiceNo}}", GET=views.get_invoice),
    # Usage API
    billing_route(f"{USAGE}/invoices/{{invoiceNo}}", GET=views.billed_usage_summary),
    billing_route(
        f"{USAGE}/invoices/{{invoiceNo}}/subscriptions/{{subscriptionNo}}",
        GET=views.billed_usage_records,
    ),
    billing_route(f"{USAGE}/customers/{{customerNo}}", GET=views.unbilled_usage_summary),
    billing_route(
        f"{USAGE}/customers/{{customerNo}}/subscriptions/{{subscriptionNo}}",
        GET=views.unbilled_usage_records,
    ),
    # The sandbox's control API
    path("_sandbox/customers", control.customers),
    path("_sandbox/faults", control.faults),
    path("_sandbox/faults/reset", control.faults_reset),
    path("_sandbox/stats", control.stats_view),
    path("_sandbox/stats/reset", control.stats_reset),
    path("_sandbox/state/reset", control.state_reset),
    path("_sandbox/clock", control.clock),
]

handler400 = "sandbox.gateway.bad_request"
handler404 = "sandbox.gateway.not_found"
handler500 = "sandbox.gateway.server_error"
