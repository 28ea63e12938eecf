"""Amounts as the upstream sends them: decimal strings ("1234.50"), read as Decimal, never float.

The one way the BFF parses an amount (`to_decimal`), sums one (`amount`: unreadable or
non-finite counts as zero) and writes one back as the upstream does (`text`: two decimals).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0.00")
_CENTS = Decimal("0.01")


def to_decimal(value: object) -> Decimal | None:
    """The amount in `value`, or None when it is not one (a float never is: money comes
    as decimal strings; read a float as `to_decimal(str(value))` where it may be one)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            return None
    return None


def amount(value: object) -> Decimal:
    """The amount in `value` for sums: what cannot be read, or is not finite, is zero."""
    number = to_decimal(value)
    return number if number is not None and number.is_finite() else ZERO


def with_vat(value: object, vat_rate: object) -> Decimal:
    """An amount excl. VAT with the VAT at `vat_rate` (percent) added, rounded to öre."""
    rate = amount(vat_rate)
    return (amount(value) * (1 + rate / 100)).quantize(_CENTS, rounding=ROUND_HALF_UP)


def text(value: Decimal) -> str:
    """An amount as the upstream writes it: "1234.50"."""
    return f"{value.quantize(_CENTS):f}"
