"""The billing calendar: Stockholm wall-clock time, invoice day, billed and unbilled periods.

Invoices are issued on the 10th of each month for the previous calendar month. Before the
10th the unbilled period therefore starts on the 1st of the previous month; from the 10th
on, on the 1st of the current month. It always spans at least nine days, so the big
unbilled data set exists whatever the date.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
INVOICE_DAY = 10
PAYMENT_DAYS = 20
BILLED_MONTHS = 12


# Tests move the sandbox's clock forward (POST /_sandbox/clock) to see unbilled usage grow
# without waiting; the offset applies to everything the sandbox derives from "now".
_offset = timedelta(0)


def set_offset(seconds: float) -> None:
    global _offset
    _offset = timedelta(seconds=seconds)


def offset_seconds() -> float:
    return _offset.total_seconds()


def now() -> datetime:
    return datetime.now(STOCKHOLM) + _offset


def add_months(month: date, months: int) -> date:
    """The first day of the month `months` away from `month`'s month."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def unbilled_period_start(today: date) -> date:
    this_month = today.replace(day=1)
    return this_month if today.day >= INVOICE_DAY else add_months(this_month, -1)


def billed_months(today: date) -> list[date]:
    """First days of the invoiced months, newest first."""
    start = unbilled_period_start(today)
    return [add_months(start, -n) for n in range(1, BILLED_MONTHS + 1)]


def invoice_date(month: date) -> date:
    return add_months(month, 1).replace(day=INVOICE_DAY)


def due_date(month: date) -> date:
    return invoice_date(month) + timedelta(days=PAYMENT_DAYS)


def midnight(day: date) -> float:
    """Epoch seconds of 00:00 Stockholm time on `day` (DST-aware)."""
    return datetime(day.year, day.month, day.day, tzinfo=STOCKHOLM).timestamp()


def months_since_2000(month: date) -> int:
    return (month.year - 2000) * 12 + month.month - 1


def month_from_index(index: int) -> date:
    return date(2000 + index // 12, index % 12 + 1, 1)
