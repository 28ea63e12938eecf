"""Input rules of customer writes, shared by the API serializers and the pages.

Checked before anything goes to PayEx, so a typo costs no upstream call; PayEx's own
`validation` problems still come back on the same field names.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework import serializers

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SE_ZIP = re.compile(r"^\d{3} ?\d{2}$")
ZIP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$")
LANGUAGES = ("sv", "en", "fi", "no", "da")
INVOICE_DISTRIBUTIONS = ("email", "paper", "e-invoice", "kivra")

# ISO 3166-1 alpha-2, officially assigned codes, as django-countries keeps them.
COUNTRY_CODES = frozenset(code for code, _name in countries)


def phone_number(value: str) -> str:
    """An E.164 number; spaces and hyphens people type are removed first."""
    compact = re.sub(r"[\s-]", "", value or "")
    if not E164.match(compact):
        raise serializers.ValidationError(_("Enter the number in E.164 form, e.g. +46701234567."))
    return compact


def country_code(value: str) -> str:
    code = (value or "").strip().upper()
    if code not in COUNTRY_CODES:
        raise serializers.ValidationError(_("Enter a two-letter ISO country code, e.g. SE."))
    return code


def zip_code(value: str, *, country: str) -> str:
    """A Swedish zip code is five digits, written `123 45`; others are checked loosely."""
    value = (value or "").strip()
    if country == "SE":
        if not SE_ZIP.match(value):
            raise serializers.ValidationError(_("Enter a Swedish zip code: five digits."))
        digits = value.replace(" ", "")
        return f"{digits[:3]} {digits[3:]}"
    if not ZIP.match(value):
        raise serializers.ValidationError(_("Enter a valid zip code."))
    return value


def changes_only(serializer: serializers.Serializer, attrs: dict, *, nothing: str) -> dict:
    """A PATCH names only fields it may change, and at least one of them."""
    unknown = set(getattr(serializer, "initial_data", {}) or {}) - set(serializer.fields)
    if unknown:
        raise serializers.ValidationError(
            {name: [_("This field cannot be changed.")] for name in sorted(unknown)}
        )
    if not attrs:
        raise serializers.ValidationError(nothing)
    return attrs


class BillingAddressInput(serializers.Serializer):
    """The whole billing address: a change replaces it (coAddress may be empty)."""

    addressee = serializers.CharField(max_length=100)
    coAddress = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True, default=None
    )
    streetAddress = serializers.CharField(max_length=100)
    zipCode = serializers.CharField(max_length=12)
    city = serializers.CharField(max_length=60)
    countryCode = serializers.CharField(max_length=2, min_length=2)

    def validate_countryCode(self, value: str) -> str:
        return country_code(value)

    def validate(self, attrs: dict) -> dict:
        try:
            attrs["zipCode"] = zip_code(attrs["zipCode"], country=attrs["countryCode"])
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"zipCode": exc.detail}) from exc
        attrs["coAddress"] = attrs.get("coAddress") or None
        return attrs


class CustomerChangesInput(serializers.Serializer):
    """PATCH of a customer: only the contact fields PayEx lets us change."""

    emailAddress = serializers.EmailField(max_length=254, required=False)
    msisdn = serializers.CharField(max_length=32, required=False)
    billingAddress = BillingAddressInput(required=False)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    invoiceDistribution = serializers.ChoiceField(choices=INVOICE_DISTRIBUTIONS, required=False)

    def validate_msisdn(self, value: str) -> str:
        return phone_number(value)

    def validate(self, attrs: dict) -> dict:
        return changes_only(self, attrs, nothing=_("Send at least one field to change."))


class ProductOrderInput(serializers.Serializer):
    """POST of a recurring product: a catalogue product code, a quantity, a start date."""

    productCode = serializers.CharField(max_length=32)
    quantity = serializers.IntegerField(min_value=1, max_value=99, default=1)
    startDate = serializers.DateField(required=False)

    def validate_startDate(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The start date must not be in the past."))
        return value


class ProductChangesInput(serializers.Serializer):
    """PATCH of a recurring product: quantity and/or the day it ends."""

    quantity = serializers.IntegerField(min_value=1, max_value=99, required=False)
    endDate = serializers.DateField(required=False)

    def validate_endDate(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The end date must not be in the past."))
        return value

    def validate(self, attrs: dict) -> dict:
        return changes_only(self, attrs, nothing=_("Send quantity, endDate or both."))
