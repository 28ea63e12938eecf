"""Request body validation for the three writes. Every bad field is reported, together.

Each validator returns the cleaned values or raises a `validation` Problem whose
`Problems` list holds one {"field.path": "message"} entry per bad field.
"""

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from . import catalog
from .catalog import PRODUCTS_BY_CODE
from .data import Subscription
from .problems import Problem

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SE_ZIP = re.compile(r"^\d{3} ?\d{2}$")
_ANY_ZIP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CUSTOMER_WRITABLE = ("emailAddress", "msisdn", "billingAddress", "language", "invoiceDistribution")
CUSTOMER_READ_ONLY = (
    "@id", "customerNo", "legalEntity", "name", "nationalIdentifier", "subscriptions",
    "recurringProducts", "operations",
)  # fmt: skip
ADDRESS_FIELDS = ("addressee", "coAddress", "streetAddress", "zipCode", "city", "countryCode")
PRODUCT_READ_ONLY = (
    "@id", "recurringProductId", "vatRate", "currency", "chargeInterval", "operations",
)  # fmt: skip


def parse_body(request) -> dict:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Problem("validation", "The body is not valid JSON.", [{"body": "Not JSON"}]) from None
    if not isinstance(body, dict):
        raise Problem("validation", "The body must be a JSON object.", [{"body": "Not an object"}])
    return body


def _fail(problems: list[dict]) -> None:
    if problems:
        names = ", ".join(next(iter(p)) for p in problems)
        raise Problem("validation", f"Invalid fields: {names}.", problems)


def _text(value, *, max_length: int, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value.strip():
        return "Must be a non-empty string"
    if len(value) > max_length:
        return f"Must be at most {max_length} characters"
    return None


def _unknown_or_read_only(key: str, read_only: tuple) -> str:
    return "Read-only field" if key in read_only else "Unknown field"


def customer_patch(body: dict, current_address: dict) -> dict:
    problems: list[dict] = []
    for key in body:
        if key not in CUSTOMER_WRITABLE:
            problems.append({key: _unknown_or_read_only(key, CUSTOMER_READ_ONLY)})

    if "emailAddress" in body:
        value = body["emailAddress"]
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
            problems.append({"emailAddress": "Not a valid email address"})
    if "msisdn" in body:
        value = body["msisdn"]
        if not isinstance(value, str) or not _E164.match(value):
            problems.append({"msisdn": "Not a valid E.164 number, e.g. +46701234567"})
    if "language" in body and body["language"] not in catalog.LANGUAGES:
        problems.append({"language": f"Must be one of {', '.join(catalog.LANGUAGES)}"})
    if "invoiceDistribution" in body and body["invoiceDistribution"] not in (
        catalog.INVOICE_DISTRIBUTIONS
    ):
        allowed = ", ".join(catalog.INVOICE_DISTRIBUTIONS)
        problems.append({"invoiceDistribution": f"Must be one of {allowed}"})
    if "billingAddress" in body:
        problems.extend(_address(body["billingAddress"], current_address))
    _fail(problems)
    return {key: body[key] for key in CUSTOMER_WRITABLE if key in body}


def _address(address, current: dict) -> list[dict]:
    if not isinstance(address, dict):
        return [{"billingAddress": "Must be an object"}]
    problems = []
    for key in address:
        if key not in ADDRESS_FIELDS:
            problems.append({f"billingAddress.{key}": "Unknown field"})
    limits = {"addressee": 100, "coAddress": 100, "streetAddress": 100, "city": 60}
    for key, limit in limits.items():
        if key in address:
            message = _text(address[key], max_length=limit, nullable=key == "coAddress")
            if message:
                problems.append({f"billingAddress.{key}": message})
    country = address.get("countryCode", current.get("countryCode"))
    if "countryCode" in address and (
        not isinstance(country, str) or country not in catalog.COUNTRY_CODES
    ):
        problems.append({"billingAddress.countryCode": "Not an ISO 3166-1 alpha-2 country code"})
    # The zip code is checked against the country the address ends up with.
    if "zipCode" in address or "countryCode" in address:
        zip_code = address.get("zipCode", current.get("zipCode"))
        if country == "SE":
            if not isinstance(zip_code, str) or not _SE_ZIP.match(zip_code):
                problems.append({"billingAddress.zipCode": "Not a valid SE zip code"})
        elif not isinstance(zip_code, str) or not _ANY_ZIP.match(zip_code):
            problems.append({"billingAddress.zipCode": "Not a valid zip code"})
    return problems


def iso_date(value) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _quantity(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9999:
        return "Must be an integer from 1 to 9999"
    return None


def _price(value) -> int | str:
    """Öre from a decimal string or number with at most two decimals, or a message."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return 'Must be a decimal amount, e.g. "79.20"'
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return 'Must be a decimal amount, e.g. "79.20"'
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        return "Must be from 0.00 to 1000000.00"
    if amount.as_tuple().exponent < -2:
        return "At most two decimals"
    return int(amount * 100)


def product_post(body: dict, subscription: Subscription | None) -> dict:
    """Clean a POST body. The result doubles as the idempotency fingerprint."""
    allowed = ("productCode", "quantity", "startDate", "description", "unitPrice",
               "externalReference")  # fmt: skip
    problems: list[dict] = []
    for key in body:
        if key not in allowed:
            problems.append({key: _unknown_or_read_only(key, (*PRODUCT_READ_ONLY, "endDate"))})

    code = body.get("productCode")
    product = PRODUCTS_BY_CODE.get(code) if isinstance(code, str) else None
    if "productCode" not in body:
        problems.append({"productCode": "Required"})
    elif product is None:
        problems.append({"productCode": "Unknown product code"})
    elif subscription is None and product.level != "customer":
        problems.append({"productCode": "Not available at customer level"})
    elif subscription is not None and (
        product.level != "subscription" or product.kind != subscription.kind
    ):
        problems.append({"productCode": f"Not available for a {subscription.kind} subscription"})

    quantity = body.get("quantity", 1)
    if message := _quantity(quantity):
        problems.append({"quantity": message})
    start = iso_date(body.get("startDate"))
    if "startDate" not in body:
        problems.append({"startDate": "Required"})
    elif start is None:
        problems.append({"startDate": "Must be an ISO 8601 date (YYYY-MM-DD)"})
    if "description" in body and (message := _text(body["description"], max_length=100)):
        problems.append({"description": message})
    price = None
    if "unitPrice" in body:
        price = _price(body["unitPrice"])
        if isinstance(price, str):
            problems.append({"unitPrice": price})
    reference = body.get("externalReference")
    if "externalReference" in body and (message := _text(reference, max_length=64, nullable=True)):
        problems.append({"externalReference": message})
    _fail(problems)
    return {
        "productCode": code,
        "quantity": quantity,
        "startDate": start,
        "description": body.get("description"),
        "unitPrice": price,
        "externalReference": reference,
    }


def product_patch(body: dict, start_date: date, *, today: date, main_plan: bool) -> dict:
    problems: list[dict] = []
    for key in body:
        if key not in ("quantity", "endDate"):
            read_only = (*PRODUCT_READ_ONLY, "productCode", "description", "unitPrice",
                         "startDate", "externalReference")  # fmt: skip
            problems.append({key: _unknown_or_read_only(key, read_only)})
    changes = {}
    if "quantity" in body:
        if message := _quantity(body["quantity"]):
            problems.append({"quantity": message})
        changes["quantity"] = body["quantity"]
    if "endDate" in body:
        # null removes a planned end.
        end = None if body["endDate"] is None else iso_date(body["endDate"])
        if body["endDate"] is not None and end is None:
            problems.append({"endDate": "Must be an ISO 8601 date (YYYY-MM-DD) or null"})
        elif main_plan:
            problems.append({"endDate": "A main plan ends with its subscription"})
        elif end is not None and end < start_date:
            problems.append({"endDate": f"Must not be before startDate ({start_date})"})
        elif end is not None and end < today:
            problems.append({"endDate": f"Must not be before today ({today})"})
        changes["end_date"] = end
    _fail(problems)
    return changes
