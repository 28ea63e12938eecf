"""How every page writes amounts and dates in the user's language.

Swedish: `1 234,50 kr` (a no-break space groups thousands and keeps the number with
its unit) and ISO dates `2026-10-31`. English: `SEK 1,234.50` and `31 Oct 2026`.
Upstream amounts are decimal strings ("1234.50"); they are parsed as Decimal, never
as float. A value that cannot be read is shown as it came rather than hidden.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

NBSP = "\u00a0"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _english(language: str | None) -> bool:
    return (language or get_language() or "sv").lower().startswith("en")


def to_decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            return None
    return None


def _grouped(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


def money(value: object, currency: str = "SEK", *, language: str | None = None) -> str:
    amount = to_decimal(value)
    if amount is None or not amount.is_finite():
        return "" if value is None else str(value)
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 1)
    cents_text = f"{int(cents * 100):02d}"
    currency = (currency or "SEK").upper()
    if _english(language):
        return f"{sign}{currency}{NBSP}{_grouped(int(whole), ',')}.{cents_text}"
    unit = "kr" if currency == "SEK" else currency
    return f"{sign}{_grouped(int(whole), NBSP)},{cents_text}{NBSP}{unit}"


def day(value: object, *, language: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if not isinstance(value, date):
        return "" if value is None else str(value)
    if _english(language):
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return value.isoformat()


def rate(value: object, *, language: str | None = None) -> str:
    """A VAT rate: `25 %` in Swedish, `25%` in English (decimals only when there are any)."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = f"{number.normalize():f}"
    if _english(language):
        return f"{text}%"
    return f"{text.replace('.', ',')}{NBSP}%"


def moment(value: object, *, language: str | None = None) -> str:
    """An ISO timestamp as local (Stockholm) date and time, e.g. `2026-10-31 14:05`."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{day(value.date(), language=language)} {value:%H:%M}"


# Upstream codes shown to people: one translated label each.
LABELS = {
    "monthly": _("monthly"),
    "quarterly": _("quarterly"),
    "yearly": _("yearly"),
    "active": _("active"),
    "suspended": _("suspended"),
    "terminated": _("terminated"),
    "open": _("open"),
    "paid": _("paid"),
    "overdue": _("overdue"),
    "credited": _("credited"),
    "recurring": _("recurring"),
    "usage": _("usage"),
    "one-off": _("one-off"),
    "discount": _("discount"),
    "adjustment": _("adjustment"),
    "consumer": _("private person"),
    "business": _("business"),
    "customer": _("customer"),
    "subscription": _("subscription"),
}


def label(code: object) -> str:
    return str(LABELS.get(code, code)) if isinstance(code, str) else ""
