"""How every page writes amounts and dates in the user's language.

Swedish: `1 234,50 kr` (a no-break space groups thousands and keeps the number with
its unit) and ISO dates `2026-10-31`. English: `SEK 1,234.50` and `31 Oct 2026`.
Upstream amounts are decimal strings ("1234.50"); they are parsed as Decimal, never
as float. A value that cannot be read is shown as it came rather than hidden.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from billing_bff.amounts import to_decimal

NBSP = "\u00a0"
# Short month names, by language: the one table every page writes months with.
_MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _english(language: str | None) -> bool:
    return (language or get_language() or "sv").lower().startswith("en")


def month_name(month: int, *, language: str | None = None) -> str:
    """The short name of a month (1-12): `okt` in Swedish, `Oct` in English."""
    return _MONTHS["en" if _english(language) else "sv"][month - 1]


def short_day(value: str, *, language: str | None = None) -> str:
    """An ISO day as `31 okt` / `31 Oct` (a chart's label); as it came if it is not one."""
    try:
        return f"{int(value[8:10])} {month_name(int(value[5:7]), language=language)}"
    except (ValueError, IndexError):
        return value


def axis_number(value: Decimal, *, language: str | None = None) -> str:
    """A chart axis value without its unit: `1 250` or `2,50` (`1,250` or `2.50` in English)."""
    text = f"{int(value):,}" if value == value.to_integral_value() else f"{value:,.2f}"
    if _english(language):
        return text
    return text.replace(",", NBSP).replace(".", ",")


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
        return f"{value.day} {month_name(value.month, language=language)} {value.year}"
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


def ago(value: object) -> str:
    """How long ago an ISO timestamp was, in words ("3 minutes"); "" under a minute."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return ""
    return timesince(value, depth=1)


_VOLUME_UNITS = {"bytes": 1024**2, "seconds": 60}


def volume(value: object, unit: str, *, language: str | None = None) -> str:
    """A usage volume in base units as people read it: minutes, megabytes, or a count."""
    number = to_decimal(str(value) if isinstance(value, float) else value)
    if number is None:
        return "" if value is None else str(value)
    comma = not _english(language)
    if unit == "seconds":
        minutes, seconds = divmod(int(number), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours}{NBSP}h {minutes:02d}{NBSP}min"
        return f"{minutes}{NBSP}min {seconds:02d}{NBSP}s" if minutes else f"{seconds}{NBSP}s"
    if unit == "bytes":
        megabytes = number / _VOLUME_UNITS["bytes"]
        text = f"{megabytes:,.1f}" if megabytes < 1024 else f"{megabytes / 1024:,.2f}"
        text = text.replace(",", NBSP if comma else ",")
        if comma:
            text = text.replace(".", ",")
        return f"{text}{NBSP}{'MB' if megabytes < 1024 else 'GB'}"
    return _grouped(int(number), NBSP if comma else ",")


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
    # Usage records: their type and zone.
    "voice": _("calls"),
    "sms": _("text messages"),
    "mms": _("picture messages"),
    "data": _("mobile data"),
    "content": _("content services"),
    "other": _("other"),
    "domestic": _("domestic"),
    "eu": _("EU/EEA"),
    "world": _("rest of the world"),
}


def label(code: object) -> str:
    return str(LABELS.get(code, code)) if isinstance(code, str) else ""
