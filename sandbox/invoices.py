"""Invoices: twelve monthly invoices per customer, built on first use and cached.

An invoice covers one calendar month and is issued on the 10th of the next (see `cycle`).
Its lines are the generated recurring products active in the month (customer edits made
through the API only affect the future, as billed history is immutable), one usage line
per subscription with usage, and now and then a one-off fee, a discount or an adjustment.

All amounts are integers in öre. VAT is computed and rounded per line, and the header
sums the lines, so lines and totals agree exactly. Each usage line is the sum of the same
records the Usage API serves for that invoice (`usage.month_totals`).

Statuses: the newest invoice is open until its due date (20 days after issue), then
overdue; for late payers (one customer in five) the one before is overdue too; older
ones are paid, about one in 25 credited. One unpaid invoice in four is partly paid:
`remaining_amount` is then a whole-krona part of the total (paid and credited ones owe 0).

Each invoice is paid with an OCR reference: its number and a mod-10 (Luhn) check digit.

Invoice numbers encode (month, customer index), so the Usage API can find an invoice
from its number alone: "8" + months since 2000-01 (4 digits) + customer index (5 digits).
"""

import random
import threading
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from . import cycle
from .catalog import PRODUCTS_BY_CODE, VAT_PERCENT
from .data import Customer, World
from .usage import month_totals


@dataclass(frozen=True)
class Charge:
    charge_id: str
    subscription_no: str | None
    product_code: str
    description: str
    charge_type: str  # recurring | usage | one-off | discount | adjustment
    period_start: date
    period_end: date
    quantity: int
    unit_price: int
    amount: int
    vat_amount: int


@dataclass(frozen=True)
class Invoice:
    invoice_no: str
    customer_no: str
    invoice_date: date
    due_date: date
    period_start: date
    period_end: date
    status: str
    charges: tuple[Charge, ...]
    total_amount: int  # incl. VAT
    vat_amount: int
    # (subscriptionNo, record count, amount in öre) for each subscription with usage.
    usage: tuple[tuple[str, int, int], ...]
    remaining_amount: int = 0  # incl. VAT, what is still to pay

    @property
    def payment_reference(self) -> str:
        return ocr_reference(self.invoice_no)

    def usage_of(self, subscription_no: str) -> tuple[int, int] | None:
        for number, count, amount in self.usage:
            if number == subscription_no:
                return count, amount
        return None


def vat_of(amount: int) -> int:
    exact = Decimal(amount) * VAT_PERCENT / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def luhn_digit(digits: str) -> str:
    """The mod-10 check digit Swedish OCR references end with (Luhn, weights 2-1 from the right)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def ocr_reference(number: str) -> str:
    return number + luhn_digit(number)


def invoice_no(customer_index: int, month: date) -> str:
    return f"8{cycle.months_since_2000(month):04d}{customer_index:05d}"


def parse_invoice_no(number: str) -> tuple[int, date] | None:
    if len(number) != 10 or not number.isdigit() or number[0] != "8":
        return None
    return int(number[5:]), cycle.month_from_index(int(number[1:5]))


def _interval_months(interval: str) -> int:
    return {"monthly": 1, "quarterly": 3, "yearly": 12}[interval]


def _charged_in(start: date, end: date | None, interval: str, month: date) -> date | None:
    """The end of the charged period if a product with this life is charged in `month`."""
    month_end = cycle.month_end(month)
    if start > month_end or (end is not None and end <= month):
        return None
    months = _interval_months(interval)
    elapsed = cycle.months_since_2000(month) - cycle.months_since_2000(start.replace(day=1))
    if elapsed % months:
        return None
    return cycle.month_end(cycle.add_months(month, months - 1))


def build_invoices(world: World, customer: Customer, today: date) -> tuple[Invoice, ...]:
    """The customer's invoices, newest first."""
    invoices = []
    for position, month in enumerate(cycle.billed_months(today)):
        invoices.append(_invoice(world, customer, month, today, position))
    return tuple(invoices)


def _invoice(world: World, customer: Customer, month: date, today: date, position: int):
    """The invoice for `month`; `position` 0 is the newest."""
    number = invoice_no(customer.index, month)
    month_end = cycle.month_end(month)
    rng = random.Random(f"{world.seed}:invoice:{customer.customer_no}:{month:%Y-%m}")
    lines: list[tuple] = []  # (subscriptionNo, code, description, type, end, qty, unit price)

    def charge_products(subscription_no: str | None) -> None:
        for product in customer.products:
            if product.subscription_no != subscription_no:
                continue
            period_end = _charged_in(
                product.start_date, product.end_date, product.charge_interval, month
            )
            if period_end is not None:
                line = (subscription_no, product.product_code, product.description, "recurring",
                        period_end, product.quantity, product.unit_price)  # fmt: skip
                lines.append(line)

    active = []
    usage = []
    for sub in customer.subscriptions:
        if sub.start_date > month_end or (sub.end_date is not None and sub.end_date <= month):
            continue
        active.append(sub)
        charge_products(sub.subscription_no)
        if sub.start_date >= month:
            start_fee = PRODUCTS_BY_CODE["ONE-START"]
            lines.append((sub.subscription_no, start_fee.code, start_fee.name, "one-off",
                          month_end, 1, start_fee.price))  # fmt: skip
        count, amount = month_totals(world.seed, sub, month)
        if count:
            usage.append((sub.subscription_no, count, amount))
            lines.append((sub.subscription_no, "USAGE", PRODUCTS_BY_CODE["USAGE"].name, "usage",
                          month_end, 1, amount))  # fmt: skip
    charge_products(None)

    def extra(code: str, charge_type: str, subscription_no: str | None) -> None:
        product = PRODUCTS_BY_CODE[code]
        lines.append((subscription_no, code, product.name, charge_type, month_end, 1,
                      product.price))  # fmt: skip

    if active and rng.random() < 0.10:
        extra(rng.choice(("ONE-SIM", "ONE-SPEC")), "one-off", rng.choice(active).subscription_no)
    if active and rng.random() < 0.08:
        code = rng.choice(("DISC-LOYALTY", "DISC-CAMPAIGN"))
        extra(code, "discount", rng.choice(active).subscription_no)
    if rng.random() < 0.03:
        extra("ADJ-CREDIT", "adjustment", None)
    if customer.invoice_distribution == "paper":
        extra("FEE-PAPER", "one-off", None)

    charges = []
    for line_no, (sub_no, code, text, kind, end, qty, price) in enumerate(lines, start=1):
        amount = qty * price
        charges.append(Charge(f"{number}-{line_no:03d}", sub_no, code, text, kind, month, end,
                              qty, price, amount, vat_of(amount)))  # fmt: skip

    due = cycle.due_date(month)
    if position == 0:
        status = "open" if today <= due else "overdue"
    elif position == 1 and customer.late_payer:
        status = "overdue"  # a late payer: last month's invoice is still unpaid
    else:
        status = "credited" if rng.random() < 0.04 else "paid"
    vat_total = sum(c.vat_amount for c in charges)
    total = sum(c.amount for c in charges) + vat_total
    remaining = 0
    if status in ("open", "overdue"):
        remaining = max(total, 0)
        if total > 200 and rng.random() < 0.25:  # partly paid: a whole-krona part is left
            remaining = max(100, (total * rng.randint(20, 80) // 100) // 100 * 100)
    return Invoice(
        invoice_no=number,
        customer_no=customer.customer_no,
        invoice_date=cycle.invoice_date(month),
        due_date=due,
        period_start=month,
        period_end=month_end,
        status=status,
        charges=tuple(charges),
        total_amount=total,
        vat_amount=vat_total,
        usage=tuple(usage),
        remaining_amount=remaining,
    )


_cache: dict[tuple, tuple[Invoice, ...]] = {}
_building: dict[tuple, threading.Lock] = {}
_cache_lock = threading.Lock()


def customer_invoices(world: World, customer: Customer, today: date) -> tuple[Invoice, ...]:
    # Keyed by day: statuses change with the date, and the world with the period.
    key = (world.seed, world.size, world.period_start, today, customer.customer_no)
    found = _cache.get(key)
    if found is not None:
        return found
    # One build per customer: the big customer's takes a while, and concurrent first
    # requests for it should wait for that build rather than repeat it.
    with _cache_lock:
        lock = _building.setdefault(key, threading.Lock())
    with lock:
        found = _cache.get(key)
        if found is None:
            found = build_invoices(world, customer, today)
            with _cache_lock:
                if len(_cache) >= 2048:  # yesterday's entries, mostly
                    _cache.clear()
                _cache[key] = found
                _building.pop(key, None)
    return found


def find_invoice(world: World, number: str, today: date) -> tuple[Customer, Invoice] | None:
    parsed = parse_invoice_no(number)
    if parsed is None or parsed[0] >= world.size:
        return None
    customer = world.customers[parsed[0]]
    for invoice in customer_invoices(world, customer, today):
        if invoice.invoice_no == number:
            return customer, invoice
    return None
