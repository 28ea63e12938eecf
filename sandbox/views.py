"""The views of the three Billing APIs (customer, invoice, usage), one per route and method.

Views look up the generated world for the current billing period, read and write the
store, and raise `Problem` for anything the caller should hear about; `gateway` handles
auth, faults, stats and problem rendering around them.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.http import HttpResponse

from . import config, cycle, resources, validation
from .catalog import PRODUCTS_BY_CODE
from .data import Customer, Subscription, World, world_for
from .invoices import customer_invoices, find_invoice
from .problems import Problem
from .store import Product, get_store
from .usage import billed_usage, unbilled_usage

_DIGITS = re.compile(r"^\d{1,12}$")
_ALNUM = re.compile(r"^[A-Za-z0-9]{1,20}$")


@dataclass(frozen=True)
class Context:
    now: datetime
    today: date
    world: World


def _context() -> Context:
    cfg = config.get()
    now = cycle.now()
    world = world_for(cfg.seed, cfg.customers, cycle.unbilled_period_start(now.date()))
    return Context(now, now.date(), world)


def _json(body: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpResponse(content, status=status, content_type="application/json", headers=headers)


def _check_id(name: str, value: str, pattern: re.Pattern) -> None:
    if not pattern.match(value):
        raise Problem("validation", f"{name} {value!r} is malformed.", [{name: "Malformed"}])


def _customer(ctx: Context, customer_no: str) -> Customer:
    _check_id("customerNo", customer_no, _DIGITS)
    customer = ctx.world.customer(customer_no)
    if customer is None:
        raise Problem("customer-not-found", f"No customer {customer_no} in this ledger.")
    return customer


def _subscription(customer: Customer, subscription_no: str) -> Subscription:
    _check_id("subscriptionNo", subscription_no, _ALNUM)
    for subscription in customer.subscriptions:
        if subscription.subscription_no == subscription_no:
            return subscription
    raise Problem(
        "subscription-not-found",
        f"Customer {customer.customer_no} has no subscription {subscription_no}.",
    )


def _require(operations: list[dict], rel: str, what: str) -> None:
    """Refuse a write the resource's operations do not offer, as PayEx does."""
    if not any(op["rel"] == rel for op in operations):
        raise Problem("conflict", f"{what} does not offer {rel} in its current state.")


# --- customer API: customers and subscriptions ---


def get_customer(request, *, customer_no):
    ctx = _context()
    customer = _customer(ctx, customer_no)
    contact = get_store(ctx.world).contact(customer)
    return _json(resources.customer_json(customer, contact))


def patch_customer(request, *, customer_no):
    ctx = _context()
    customer = _customer(ctx, customer_no)
    store = get_store(ctx.world)
    _require(resources.customer_operations(customer), "partial-update", "The customer")
    body = validation.parse_body(request)
    changes = validation.customer_patch(body, store.contact(customer)["billingAddress"])
    contact = store.update_contact(customer, changes)
    return _json(resources.customer_json(customer, contact))


def list_subscriptions(request, *, customer_no):
    customer = _customer(_context(), customer_no)
    return _json(resources.subscriptions_json(customer))


def get_subscription(request, *, customer_no, subscription_no):
    customer = _customer(_context(), customer_no)
    return _json(resources.subscription_json(_subscription(customer, subscription_no)))


# --- customer API: recurring products, at customer or subscription level ---


def _parent(ctx: Context, customer_no: str, subscription_no: str | None):
    """(customer, subscription or None, the parent's operations)."""
    customer = _customer(ctx, customer_no)
    if subscription_no is None:
        return customer, None, resources.customer_operations(customer)
    subscription = _subscription(customer, subscription_no)
    return customer, subscription, resources.subscription_operations(subscription)


def _product(ctx: Context, customer_no, subscription_no, recurring_product_id) -> Product:
    _parent(ctx, customer_no, subscription_no)
    _check_id("recurringProductId", recurring_product_id, _DIGITS)
    product = get_store(ctx.world).product(customer_no, subscription_no, recurring_product_id)
    if product is None:
        raise Problem(
            "recurring-product-not-found",
            f"No recurring product {recurring_product_id} here.",
        )
    return product


def list_recurring_products(request, *, customer_no, subscription_no=None):
    ctx = _context()
    _, _, operations = _parent(ctx, customer_no, subscription_no)
    products = get_store(ctx.world).products_of(customer_no, subscription_no)
    body = resources.products_json(customer_no, subscription_no, products, operations, ctx.today)
    return _json(body)


def create_recurring_product(request, *, customer_no, subscription_no=None):
    ctx = _context()
    _, subscription, operations = _parent(ctx, customer_no, subscription_no)
    clean = validation.product_post(validation.parse_body(request), subscription)
    store = get_store(ctx.world)
    reference = clean["externalReference"]
    if reference:
        # A repeat answers before the state check: it creates nothing.
        existing = store.by_reference(customer_no, subscription_no, reference)
        if existing is not None:
            return _repeat(existing, clean, ctx.today)
    what = "The subscription" if subscription else "The customer"
    _require(operations, "create-recurring-product", what)
    catalog_product = PRODUCTS_BY_CODE[clean["productCode"]]
    product, created = store.create(
        Product(
            recurring_product_id="",
            customer_no=customer_no,
            subscription_no=subscription_no,
            product_code=catalog_product.code,
            description=clean["description"] or catalog_product.name,
            quantity=clean["quantity"],
            unit_price=(
                catalog_product.price if clean["unitPrice"] is None else clean["unitPrice"]
            ),
            charge_interval=catalog_product.interval,
            start_date=clean["startDate"],
            end_date=None,
            external_reference=reference,
            request=clean,
        )
    )
    if not created:  # a concurrent request with the same reference got there first
        return _repeat(product, clean, ctx.today)
    path = resources.product_path(product)
    return _json(resources.product_json(product, ctx.today), 201, {"Location": path})


def _repeat(existing: Product, clean: dict, today: date):
    if existing.request != clean:
        raise Problem(
            "conflict",
            f"externalReference {clean['externalReference']!r} was already used here "
            f"with a different body (recurring product {existing.recurring_product_id}).",
        )
    return _json(resources.product_json(existing, today), 200)


def get_recurring_product(request, *, customer_no, recurring_product_id, subscription_no=None):
    ctx = _context()
    product = _product(ctx, customer_no, subscription_no, recurring_product_id)
    return _json(resources.product_json(product, ctx.today))


def patch_recurring_product(request, *, customer_no, recurring_product_id, subscription_no=None):
    ctx = _context()
    store = get_store(ctx.world)
    body = validation.parse_body(request)
    with store.lock:  # the state check and the change are one step
        product = _product(ctx, customer_no, subscription_no, recurring_product_id)
        operations = resources.product_operations(product, ctx.today)
        _require(operations, "partial-update", "The recurring product")
        changes = validation.product_patch(
            body,
            product.start_date,
            today=ctx.today,
            main_plan=resources.is_main_plan(product),
        )
        product = store.update(product.recurring_product_id, **changes)
    return _json(resources.product_json(product, ctx.today))


def delete_recurring_product(request, *, customer_no, recurring_product_id, subscription_no=None):
    """End the product: endDate becomes today, or its startDate if it has not started yet
    (cancelled before it began). The product stays readable, with no operations left."""
    ctx = _context()
    store = get_store(ctx.world)
    with store.lock:  # two concurrent DELETEs: one ends it, the other gets 409
        product = _product(ctx, customer_no, subscription_no, recurring_product_id)
        operations = resources.product_operations(product, ctx.today)
        _require(operations, "delete", "The recurring product")
        store.update(product.recurring_product_id, end_date=max(ctx.today, product.start_date))
    return HttpResponse(status=204)


# --- invoice API ---


def list_invoices(request, *, customer_no):
    ctx = _context()
    customer = _customer(ctx, customer_no)
    invoices = customer_invoices(ctx.world, customer, ctx.today)
    return _json(resources.invoices_json(customer, invoices))


def get_invoice(request, *, customer_no, invoice_no):
    ctx = _context()
    customer = _customer(ctx, customer_no)
    _check_id("invoiceNo", invoice_no, _DIGITS)
    for invoice in customer_invoices(ctx.world, customer, ctx.today):
        if invoice.invoice_no == invoice_no:
            return _json(resources.invoice_json(invoice))
    raise Problem("invoice-not-found", f"Customer {customer_no} has no invoice {invoice_no}.")


# --- usage API ---


def _records_response(path: str, subscription_no: str, invoice_no, fragments) -> HttpResponse:
    # The envelope is dumped once and the records' ready-made JSON fragments joined in,
    # so a 50,000-record answer costs one join.
    head = {"@id": path, "subscriptionNo": subscription_no, "invoiceNo": invoice_no}
    head["operations"] = []
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1].encode()
    content = b"".join((opening, b',"usage":[', b",".join(fragments), b"]}"))
    return HttpResponse(content, content_type="application/json")


def _billed(ctx: Context, invoice_no: str):
    _check_id("invoiceNo", invoice_no, _DIGITS)
    found = find_invoice(ctx.world, invoice_no, ctx.today)
    if found is None:
        raise Problem("invoice-not-found", f"No invoice {invoice_no} in this ledger.")
    return found


def billed_usage_summary(request, *, invoice_no):
    ctx = _context()
    customer, invoice = _billed(ctx, invoice_no)
    if not invoice.usage:
        raise Problem("invoice-has-no-usage", f"Invoice {invoice_no} has no usage.")
    entries = [
        resources.usage_entry(
            resources.billed_usage_path(invoice_no, number), number, count, amount
        )
        for number, count, amount in invoice.usage
    ]
    return _json(
        {
            "@id": resources.billed_usage_path(invoice_no),
            "invoiceNo": invoice_no,
            "customerNo": customer.customer_no,
            "subscriptions": entries,
            "operations": [],
        }
    )


def billed_usage_records(request, *, invoice_no, subscription_no):
    ctx = _context()
    customer, invoice = _billed(ctx, invoice_no)
    subscription = _subscription(customer, subscription_no)
    if invoice.usage_of(subscription_no) is None:
        raise Problem(
            "invoice-has-no-usage",
            f"Invoice {invoice_no} has no usage for subscription {subscription_no}.",
        )
    records = billed_usage(ctx.world.seed, subscription, invoice.period_start)
    path = resources.billed_usage_path(invoice_no, subscription_no)
    return _records_response(path, subscription_no, invoice_no, records.fragments)


def unbilled_usage_summary(request, *, customer_no):
    ctx = _context()
    customer = _customer(ctx, customer_no)
    period_start = ctx.world.period_start
    entries = []
    # Every subscription that can have usage in the period, even with none yet.
    for subscription in customer.subscriptions:
        if subscription.end_date is not None and subscription.end_date <= period_start:
            continue
        records = unbilled_usage(ctx.world.seed, subscription, ctx.now)
        path = resources.unbilled_usage_path(customer_no, subscription.subscription_no)
        entries.append(
            resources.usage_entry(path, subscription.subscription_no, records.count, records.total)
        )
    return _json(
        {
            "@id": resources.unbilled_usage_path(customer_no),
            "customerNo": customer_no,
            "periodStart": period_start.isoformat(),
            "subscriptions": entries,
            "operations": [],
        }
    )


def unbilled_usage_records(request, *, customer_no, subscription_no):
    ctx = _context()
    subscription = _subscription(_customer(ctx, customer_no), subscription_no)
    records = unbilled_usage(ctx.world.seed, subscription, ctx.now)
    path = resources.unbilled_usage_path(customer_no, subscription_no)
    return _records_response(path, subscription_no, None, records.fragments)
