"""Paths and JSON shapes of the resources, with the operations each state allows.

Shapes follow the contract: camelCase, amounts as two-decimal strings, dates ISO 8601,
"@id" on every resource, sub-resources linked by path. Collections the contract leaves
unshaped are objects with "@id", "operations" and one named list ("subscriptions",
"recurringProducts", "invoices"), like the usage resources the contract does shape.

Operation methods are written in mixed case on purpose ("patch", "POST", "Delete"), as
PayEx's own pages do, so clients learn to compare them case-insensitively.

Operation rules (which the write views enforce with 409 conflict):
  * customer: partial-update always; create-recurring-product always;
  * subscription: create-recurring-product only while active. A suspended subscription
    offers nothing: products are not added to a line that is on hold (our call; the
    contract only fixes the terminated case);
  * recurring product: partial-update and delete until it has ended;
  * a subscription's main plan (the product whose code is the subscription's own) ends
    with its subscription: never delete, and partial-update (quantity only) only where
    the plan allows a quantity (PayEx's rule, modelled).
"""

from datetime import date

from . import config
from .catalog import CURRENCY, PRODUCTS_BY_CODE, VAT_RATE, money
from .data import Customer, Subscription
from .invoices import Charge, Invoice
from .store import Product


def _base(api: str) -> str:
    return f"/billing/{api}/v1/{config.get().owner_no}"


def customer_path(customer_no: str) -> str:
    return f"{_base('customer')}/customers/{customer_no}"


def subscriptions_path(customer_no: str) -> str:
    return f"{customer_path(customer_no)}/subscriptions"


def subscription_path(customer_no: str, subscription_no: str) -> str:
    return f"{subscriptions_path(customer_no)}/{subscription_no}"


def products_path(customer_no: str, subscription_no: str | None) -> str:
    parent = (
        subscription_path(customer_no, subscription_no)
        if subscription_no
        else customer_path(customer_no)
    )
    return f"{parent}/recurring-products"


def product_path(product: Product) -> str:
    parent = products_path(product.customer_no, product.subscription_no)
    return f"{parent}/{product.recurring_product_id}"


def invoices_path(customer_no: str) -> str:
    return f"{_base('invoice')}/customers/{customer_no}/invoices"


def invoice_path(customer_no: str, invoice_no: str) -> str:
    return f"{invoices_path(customer_no)}/{invoice_no}"


def billed_usage_path(invoice_no: str, subscription_no: str | None = None) -> str:
    path = f"{_base('usage')}/invoices/{invoice_no}"
    return f"{path}/subscriptions/{subscription_no}" if subscription_no else path


def unbilled_usage_path(customer_no: str, subscription_no: str | None = None) -> str:
    path = f"{_base('usage')}/customers/{customer_no}"
    return f"{path}/subscriptions/{subscription_no}" if subscription_no else path


def _op(rel: str, method: str, href: str) -> dict:
    return {"rel": rel, "method": method, "href": href}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- customer API ---


def customer_operations(customer: Customer) -> list[dict]:
    return [
        _op("partial-update", "patch", customer_path(customer.customer_no)),
        _op("create-recurring-product", "POST", products_path(customer.customer_no, None)),
    ]


def subscription_operations(subscription: Subscription) -> list[dict]:
    if subscription.status != "active":
        return []
    href = products_path(subscription.customer_no, subscription.subscription_no)
    return [_op("create-recurring-product", "Post", href)]


def is_main_plan(product: Product) -> bool:
    listed = PRODUCTS_BY_CODE.get(product.product_code)
    return product.subscription_no is not None and listed is not None and listed.level == "plan"


def product_operations(product: Product, today: date) -> list[dict]:
    if product.is_ended(today):
        return []
    href = product_path(product)
    if is_main_plan(product):
        adjustable = PRODUCTS_BY_CODE[product.product_code].adjustable
        return [_op("partial-update", "PATCH", href)] if adjustable else []
    return [_op("partial-update", "PATCH", href), _op("delete", "Delete", href)]


def customer_json(customer: Customer, contact: dict) -> dict:
    number = customer.customer_no
    return {
        "@id": customer_path(number),
        "customerNo": number,
        "legalEntity": customer.legal_entity,
        "name": customer.name,
        "nationalIdentifier": {"regNo": customer.reg_no, "countryCode": "SE"},
        "emailAddress": contact["emailAddress"],
        "msisdn": contact["msisdn"],
        "billingAddress": contact["billingAddress"],
        "language": contact["language"],
        "invoiceDistribution": contact["invoiceDistribution"],
        "subscriptions": subscriptions_path(number),
        "recurringProducts": products_path(number, None),
        "operations": customer_operations(customer),
    }


def subscription_json(subscription: Subscription) -> dict:
    return {
        "@id": subscription_path(subscription.customer_no, subscription.subscription_no),
        "subscriptionNo": subscription.subscription_no,
        "description": subscription.description,
        "productCode": subscription.product_code,
        "productName": subscription.product_name,
        "status": subscription.status,
        "startDate": _iso(subscription.start_date),
        "endDate": _iso(subscription.end_date),
        "recurringProducts": products_path(subscription.customer_no, subscription.subscription_no),
        "operations": subscription_operations(subscription),
    }


def subscriptions_json(customer: Customer) -> dict:
    return {
        "@id": subscriptions_path(customer.customer_no),
        "customerNo": customer.customer_no,
        "subscriptions": [subscription_json(s) for s in customer.subscriptions],
        "operations": [],
    }


def product_json(product: Product, today: date) -> dict:
    return {
        "@id": product_path(product),
        "recurringProductId": product.recurring_product_id,
        "productCode": product.product_code,
        "description": product.description,
        "quantity": product.quantity,
        "unitPrice": money(product.unit_price),
        "vatRate": VAT_RATE,
        "currency": CURRENCY,
        "chargeInterval": product.charge_interval,
        "startDate": _iso(product.start_date),
        "endDate": _iso(product.end_date),
        "externalReference": product.external_reference,
        "operations": product_operations(product, today),
    }


def products_json(
    customer_no: str,
    subscription_no: str | None,
    products: list[Product],
    parent_operations: list[dict],
    today: date,
) -> dict:
    # The list offers what its parent offers for creating, so a client holding only the
    # list knows whether it may POST to it.
    creating = [op for op in parent_operations if op["rel"] == "create-recurring-product"]
    return {
        "@id": products_path(customer_no, subscription_no),
        "recurringProducts": [product_json(p, today) for p in products],
        "operations": creating,
    }


# --- invoice API ---


def invoice_header_json(invoice: Invoice) -> dict:
    path = invoice_path(invoice.customer_no, invoice.invoice_no)
    return {
        "@id": path,
        "invoiceNo": invoice.invoice_no,
        "customerNo": invoice.customer_no,
        "invoiceDate": _iso(invoice.invoice_date),
        "dueDate": _iso(invoice.due_date),
        "periodStart": _iso(invoice.period_start),
        "periodEnd": _iso(invoice.period_end),
        "currency": CURRENCY,
        "totalAmount": money(invoice.total_amount),
        "vatAmount": money(invoice.vat_amount),
        "status": invoice.status,
        "paymentReference": invoice.payment_reference,
        "remainingAmount": money(invoice.remaining_amount),
        "charges": path,
        "operations": [],
    }


def charge_json(charge: Charge) -> dict:
    return {
        "chargeId": charge.charge_id,
        "subscriptionNo": charge.subscription_no,
        "productCode": charge.product_code,
        "description": charge.description,
        "chargeType": charge.charge_type,
        "periodStart": _iso(charge.period_start),
        "periodEnd": _iso(charge.period_end),
        "quantity": charge.quantity,
        "unitPrice": money(charge.unit_price),
        "amount": money(charge.amount),
        "vatRate": VAT_RATE,
        "vatAmount": money(charge.vat_amount),
    }


def invoice_json(invoice: Invoice) -> dict:
    body = invoice_header_json(invoice)
    operations = body.pop("operations")
    body["charges"] = [charge_json(c) for c in invoice.charges]
    body["usage"] = billed_usage_path(invoice.invoice_no)
    body["operations"] = operations
    return body


def invoices_json(customer: Customer, invoices) -> dict:
    return {
        "@id": invoices_path(customer.customer_no),
        "customerNo": customer.customer_no,
        "invoices": [invoice_header_json(i) for i in invoices],
        "operations": [],
    }


# --- usage API ---


def usage_entry(path: str, subscription_no: str, count: int, amount: int) -> dict:
    return {
        "subscriptionNo": subscription_no,
        "usage": path,
        "recordCount": count,
        "totalAmount": money(amount),
    }
