"""The browser forms of the customer pages, on the API's own input rules.

The pages post flat form fields named like the API's error fields
(`billingAddress.zipCode`), so one set of rules (customers.validators) validates both,
and errors from either layer (the BFF's or PayEx's `validation` problems) land next
to the field they name.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from billing_bff.problems import problem_response

from .validators import INVOICE_DISTRIBUTIONS, LANGUAGES

LANGUAGE_NAMES = {
    "sv": _("Swedish"),
    "en": _("English"),
    "fi": _("Finnish"),
    "no": _("Norwegian"),
    "da": _("Danish"),
}
DISTRIBUTION_NAMES = {
    "email": _("Email"),
    "paper": _("Paper"),
    "e-invoice": _("E-invoice (internet bank)"),
    "kivra": _("Kivra"),
}


@dataclass
class Field:
    name: str  # as in the API, dotted for nested fields
    label: str
    kind: str = "text"
    autocomplete: str = ""
    required: bool = True
    choices: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""
    value: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "id_" + self.name.replace(".", "_")


def _profile_fields() -> list[Field]:
    return [
        Field("emailAddress", _("Email address"), "email", "email"),
        Field(
            "msisdn",
            _("Mobile number"),
            "tel",
            "tel",
            hint=_("In international form, e.g. +46701234567."),
        ),
        Field(
            "language",
            _("Language of invoices and messages"),
            "select",
            choices=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        ),
        Field(
            "invoiceDistribution",
            _("How you get your invoices"),
            "select",
            choices=[(code, DISTRIBUTION_NAMES[code]) for code in INVOICE_DISTRIBUTIONS],
        ),
        Field("billingAddress.addressee", _("Name on the address"), autocomplete="name"),
        Field("billingAddress.coAddress", _("c/o"), autocomplete="address-line2", required=False),
        Field("billingAddress.streetAddress", _("Street address"), autocomplete="address-line1"),
        Field(
            "billingAddress.zipCode",
            _("Zip code"),
            autocomplete="postal-code",
            hint=_("Five digits for a Swedish address, e.g. 123 45."),
        ),
        Field("billingAddress.city", _("City"), autocomplete="address-level2"),
        Field(
            "billingAddress.countryCode",
            _("Country code"),
            autocomplete="country",
            hint=_("Two letters, e.g. SE."),
        ),
    ]


def profile_form(
    customer: dict, *, submitted: QueryDict | None = None, errors: dict | None = None
) -> list[Field]:
    """The profile form's fields, filled from the customer or from what was submitted."""
    fields = _profile_fields()
    address = customer.get("billingAddress") or {}
    for item in fields:
        if submitted is not None:
            item.value = submitted.get(item.name, "")
        elif item.name.startswith("billingAddress."):
            item.value = address.get(item.name.split(".", 1)[1]) or ""
        else:
            item.value = customer.get(item.name) or ""
        item.errors = list((errors or {}).get(item.name, []))
    return fields


def other_errors(fields: list[Field], errors: dict | None) -> list[str]:
    """Errors that name no field of the form (the whole body, an unknown field)."""
    names = {item.name for item in fields}
    other = []
    for name, messages in (errors or {}).items():
        if name not in names:
            prefix = "" if name == "non_field_errors" else f"{name}: "
            other.extend(f"{prefix}{message}" for message in messages)
    return other


def profile_changes(post: QueryDict) -> dict:
    """The posted form as the API's PATCH body."""
    changes: dict = {}
    for item in _profile_fields():
        value = post.get(item.name, "").strip()
        if item.name.startswith("billingAddress."):
            changes.setdefault("billingAddress", {})[item.name.split(".", 1)[1]] = value
        else:
            changes[item.name] = value
    return changes


def field_errors(exc: APIException) -> dict[str, list[str]]:
    """An error's messages by field name, exactly as the API's problem would list them."""
    body = problem_response(exc).data
    return body.get("errors") or {"non_field_errors": [str(body.get("detail", ""))]}


_REFERENCE = re.compile(r"[0-9a-f]{32}")


def order_reference(post: QueryDict) -> str:
    """The order form's one-time reference (sent to PayEx as `externalReference`), so a
    form sent twice orders once. A missing or malformed one is replaced."""
    value = post.get("reference", "")
    return value if _REFERENCE.fullmatch(value) else uuid.uuid4().hex


def new_reference() -> str:
    return uuid.uuid4().hex
