"""The generated world: customers, their subscriptions and their initial recurring products.

Everything is a pure function of (seed, number of customers, unbilled period start), so
two processes with the same seed serve the same data. Each customer draws from its own
generator, seeded with (seed, index), so customer 7 is the same whether the sandbox holds
50 customers or 500. Dates are drawn as day offsets from the unbilled period start: the
history slides forward once a month, when a new invoice is issued, and is stable between.

A few customers are fixed in shape so that the interesting cases always exist:
  * index 1, the first business customer, has 30 subscriptions, among them one
    terminated, one suspended, and one M2M/IoT data subscription that started on the
    unbilled period start and produces a usage record every ~30 seconds (the big set);
  * index 2 is a consumer with broadband only, whose invoices carry no usage.
Mutable state (edits, new recurring products) lives in `store`, not here.
"""

import math
import random
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from . import catalog
from .catalog import PRODUCTS_BY_CODE

BIG_CUSTOMER_INDEX = 1
BIG_CUSTOMER_SUBSCRIPTIONS = 30
BROADBAND_ONLY_INDEX = 2
BIG_RECORDS_PER_DAY = 2880  # one record every 30 seconds


@dataclass(frozen=True)
class Address:
    addressee: str
    co_address: str | None
    street_address: str
    zip_code: str
    city: str
    country_code: str = "SE"

    def as_json(self) -> dict:
        return {
            "addressee": self.addressee,
            "coAddress": self.co_address,
            "streetAddress": self.street_address,
            "zipCode": self.zip_code,
            "city": self.city,
            "countryCode": self.country_code,
        }


@dataclass(frozen=True)
class Subscription:
    subscription_no: str
    customer_no: str
    kind: str  # mobile | broadband | iot
    description: str
    product_code: str
    status: str  # active | suspended | terminated
    start_date: date
    end_date: date | None
    # First day without usage: the termination date, or the day a suspension began.
    usage_end: date | None
    records_per_day: int
    roaming: bool

    @property
    def product_name(self) -> str:
        return PRODUCTS_BY_CODE[self.product_code].name


@dataclass(frozen=True)
class InitialProduct:
    recurring_product_id: str
    customer_no: str
    subscription_no: str | None
    product_code: str
    description: str
    quantity: int
    unit_price: int  # öre excl. VAT
    charge_interval: str
    start_date: date
    end_date: date | None
    external_reference: str | None


@dataclass(frozen=True)
class Customer:
    index: int
    customer_no: str
    legal_entity: str  # consumer | business
    name: str
    reg_no: str
    email_address: str
    msisdn: str
    billing_address: Address
    language: str
    invoice_distribution: str
    late_payer: bool
    subscriptions: tuple[Subscription, ...]
    products: tuple[InitialProduct, ...]


@dataclass(frozen=True)
class World:
    seed: str
    size: int
    period_start: date
    customers: tuple[Customer, ...]
    big_customer_no: str
    big_subscription_no: str
    by_customer_no: dict = field(compare=False, repr=False)
    by_subscription_no: dict = field(compare=False, repr=False)

    def customer(self, customer_no: str) -> Customer | None:
        return self.by_customer_no.get(customer_no)

    def subscription(self, subscription_no: str) -> Subscription | None:
        return self.by_subscription_no.get(subscription_no)


_worlds: dict[tuple, World] = {}
_worlds_lock = threading.Lock()


def world_for(seed: str, size: int, period_start: date) -> World:
    """The world for this period, built once (a new period means a new world)."""
    key = (seed, size, period_start)
    with _worlds_lock:
        world = _worlds.get(key)
        if world is None:
            world = build_world(seed, size, period_start)
            _worlds.clear()  # one period at a time keeps memory flat
            _worlds[key] = world
        return world


def build_world(seed: str, size: int, period_start: date) -> World:
    taken: set[str] = set()
    customers = tuple(
        _customer(seed, index, customer_no(seed, index), period_start, taken)
        for index in range(size)
    )
    big = customers[BIG_CUSTOMER_INDEX]
    big_subscription = next(s for s in big.subscriptions if s.kind == "iot")
    return World(
        seed=seed,
        size=size,
        period_start=period_start,
        customers=customers,
        big_customer_no=big.customer_no,
        big_subscription_no=big_subscription.subscription_no,
        by_customer_no={c.customer_no: c for c in customers},
        by_subscription_no={s.subscription_no: s for c in customers for s in c.subscriptions},
    )


# --- identifiers ---------------------------------------------------------------------

_NUMBER_SPACE = 9_000_000  # 7-digit customer numbers 1000000..9999999


@lru_cache(maxsize=8)
def _numbering(seed: str) -> tuple[int, int]:
    rng = random.Random(f"{seed}:customer-numbers")
    a = rng.randrange(1, _NUMBER_SPACE)
    while math.gcd(a, _NUMBER_SPACE) != 1:
        a += 1
    return a, rng.randrange(_NUMBER_SPACE)


def customer_no(seed: str, index: int) -> str:
    # An affine permutation of the number space: unique numbers that look random and
    # do not depend on how many customers there are.
    a, b = _numbering(seed)
    return str(1_000_000 + (a * index + b) % _NUMBER_SPACE)


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _personnummer(rng: random.Random) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
    serial = f"{rng.randrange(1000):03d}"
    check = _luhn_digit(born.strftime("%y%m%d") + serial)
    return f"{born:%Y%m%d}-{serial}{check}"


def _organisationsnummer(rng: random.Random) -> str:
    body = rng.choice(("556", "559")) + f"{rng.randrange(1_000_000):06d}"
    return f"{body[:6]}-{body[6:]}{_luhn_digit(body)}"


def _unique(rng: random.Random, taken: set[str], make) -> str:
    while True:
        candidate = make(rng)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _mobile_number(rng: random.Random) -> str:
    return rng.choice(catalog.MOBILE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


def _broadband_id(rng: random.Random) -> str:
    return f"BB{rng.randrange(10_000_000, 100_000_000)}"


def _m2m_number(rng: random.Random) -> str:
    return f"4671{rng.randrange(1_000_000_000):09d}"


_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "&": "", " ": ""})


def _slug(text: str) -> str:
    return text.lower().translate(_FOLD)


# --- customers -----------------------------------------------------------------------


def _customer(
    seed: str, index: int, customer_no: str, period_start: date, taken: set[str]
) -> Customer:
    rng = random.Random(f"{seed}:customer:{index}")
    if index == BIG_CUSTOMER_INDEX:
        legal_entity = "business"
    elif index in (0, BROADBAND_ONLY_INDEX):
        legal_entity = "consumer"
    else:
        legal_entity = "business" if rng.random() < 0.2 else "consumer"

    first, last = rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)
    city, prefixes = rng.choice(catalog.CITIES)
    street = f"{rng.choice(catalog.STREETS)} {rng.randint(1, 120)}{rng.choice('    AB')}".strip()
    zip_code = f"{rng.choice(prefixes)} {rng.randrange(100):02d}"
    if legal_entity == "consumer":
        name = f"{first} {last}"
        reg_no = _personnummer(rng)
        email = f"{_slug(first)}.{_slug(last)}{rng.randrange(100)}@example.com"
        co_address = f"c/o {rng.choice(catalog.LAST_NAMES)}" if rng.random() < 0.05 else None
        distribution = rng.choices(catalog.INVOICE_DISTRIBUTIONS, weights=(45, 15, 10, 30))[0]
    else:
        trade = rng.choice(catalog.TRADES)
        form = rng.choice(catalog.COMPANY_FORMS)
        if rng.random() < 0.5:
            name = f"{last} {trade} {form}"
        else:
            genitive = city if city.endswith("s") else f"{city}s"
            name = f"{genitive} {trade} {form}"
        reg_no = _organisationsnummer(rng)
        email = f"faktura@{_slug(name.removesuffix(form))}.example.com"
        co_address = "Att: Ekonomiavdelningen" if rng.random() < 0.3 else None
        distribution = rng.choices(catalog.INVOICE_DISTRIBUTIONS, weights=(40, 10, 50, 0))[0]
    language = rng.choices(catalog.LANGUAGES, weights=(85, 8, 4, 2, 1))[0]
    msisdn = "+" + _unique(rng, taken, _mobile_number)

    subscriptions, products = _subscriptions(
        rng, index, customer_no, legal_entity, last, street, period_start, taken
    )
    return Customer(
        index=index,
        customer_no=customer_no,
        legal_entity=legal_entity,
        name=name,
        reg_no=reg_no,
        email_address=email,
        msisdn=msisdn,
        billing_address=Address(name, co_address, street, zip_code, city),
        language=language,
        invoice_distribution=distribution,
        late_payer=rng.random() < 0.2,
        subscriptions=tuple(subscriptions),
        products=tuple(products),
    )


def _subscription_layout(rng: random.Random, index: int, legal_entity: str) -> list[str]:
    """The kinds of the customer's subscriptions, in order."""
    if index == BIG_CUSTOMER_INDEX:
        return ["mobile"] * (BIG_CUSTOMER_SUBSCRIPTIONS - 2) + ["broadband", "iot"]
    if index == BROADBAND_ONLY_INDEX or (legal_entity == "consumer" and rng.random() < 0.05):
        return ["broadband"]
    count = rng.choices((1, 2, 3, 4, 5), weights=(20, 20, 25, 20, 15))[0]
    kinds = ["mobile"]
    for _ in range(count - 1):
        broadband = rng.random() < 0.15 and "broadband" not in kinds
        kinds.append("broadband" if broadband else "mobile")
    return kinds


def _subscriptions(rng, index, customer_no, legal_entity, last, street, period_start, taken):
    subscriptions: list[Subscription] = []
    products: list[InitialProduct] = []

    def product_id() -> str:
        return str(20_000_000 + index * 1000 + len(products))

    def reference() -> str | None:
        return f"ORD-{rng.randrange(100_000, 1_000_000)}" if rng.random() < 0.25 else None

    for position, kind in enumerate(_subscription_layout(rng, index, legal_entity)):
        # Every customer's first subscription is old enough to appear on all 12 invoices.
        if position == 0 or rng.random() < 0.7:
            age = rng.randint(400, 3000)
        else:
            age = rng.randint(30, 380)
        start = period_start - timedelta(days=age)
        status = "active"
        if position > 0:
            draw = rng.random()
            status = "terminated" if draw < 0.08 else "suspended" if draw < 0.15 else "active"
        if index == BIG_CUSTOMER_INDEX and position in (1, 2):
            status = ("terminated", "suspended")[position - 1]
        if kind == "iot":
            status, start, age = "active", period_start, 0
        end_date = usage_end = None
        if status == "terminated":
            days_before = rng.randint(10, min(300, age - 20))
            end_date = usage_end = period_start - timedelta(days=days_before)
        elif status == "suspended":
            usage_end = period_start - timedelta(days=rng.randint(5, min(60, age - 1)))

        if kind == "mobile":
            number = _unique(rng, taken, _mobile_number)
            plans = catalog.CONSUMER_PLANS if legal_entity == "consumer" else catalog.BUSINESS_PLANS
            plan = rng.choice(plans)
            if legal_entity == "consumer" and position == 0:
                user = f"{rng.choice(catalog.FIRST_NAMES)} {last}"
            else:
                user = f"{rng.choice(catalog.FIRST_NAMES)} {rng.choice(catalog.LAST_NAMES)}"
            description = user
            per_day = 3 + int(37 * rng.random() ** 2)
        elif kind == "broadband":
            number = _unique(rng, taken, _broadband_id)
            plan = rng.choice(catalog.BROADBAND_PLANS)
            description = f"Bredband {street}"
            per_day = 0
        else:
            number = _unique(rng, taken, _m2m_number)
            plan = "M2M-DATA"
            description = "IoT sensor gateway"
            per_day = BIG_RECORDS_PER_DAY

        pool = catalog.ADD_ONS[kind]
        add_ons = rng.sample(pool, k=min(len(pool), rng.choices((0, 1, 2), (45, 35, 20))[0]))
        if index == BIG_CUSTOMER_INDEX and position == 0:
            add_ons = ["ADD-SURF10", "ADD-ROAM-EU"]  # the second one ends, see below
        if kind == "iot":
            add_ons = ["ADD-IOT-APN"]
        roaming = any(code.startswith("ADD-ROAM") for code in add_ons) or rng.random() < 0.1

        subscription = Subscription(
            subscription_no=number,
            customer_no=customer_no,
            kind=kind,
            description=description,
            product_code=plan,
            status=status,
            start_date=start,
            end_date=end_date,
            usage_end=usage_end,
            records_per_day=per_day,
            roaming=roaming and kind == "mobile",
        )
        subscriptions.append(subscription)

        plan_product = PRODUCTS_BY_CODE[plan]
        products.append(
            InitialProduct(
                product_id(), customer_no, number, plan, plan_product.name, 1,
                plan_product.price, plan_product.interval, start, end_date, reference(),
            )
        )  # fmt: skip
        for code in add_ons:
            product = PRODUCTS_BY_CODE[code]
            # Add-ons start while the subscription runs (for a terminated one, before its end).
            room = ((end_date or period_start) - start).days
            add_on_start = start + timedelta(days=rng.randint(0, max(room - 1, 0)))
            add_on_end = end_date
            if end_date is None:
                draw = rng.random()
                forced_end = index == BIG_CUSTOMER_INDEX and position == 0 and code != "ADD-SURF10"
                days_run = (period_start - add_on_start).days
                if (draw < 0.15 or forced_end) and days_run > 1:
                    add_on_end = add_on_start + timedelta(days=rng.randint(1, days_run - 1))
                elif draw < 0.2:
                    add_on_end = period_start + timedelta(days=rng.randint(60, 200))
            quantity = rng.randint(1, 2) if code == "ADD-TWINSIM" else 1
            products.append(
                InitialProduct(
                    product_id(), customer_no, number, code, product.name, quantity,
                    product.price, product.interval, add_on_start, add_on_end, reference(),
                )
            )  # fmt: skip

    if index == BIG_CUSTOMER_INDEX:
        customer_codes = ["CUS-SUPPORT", "CUS-PORTAL", "CUS-SEC"]
    elif legal_entity == "business":
        customer_codes = rng.sample(catalog.BUSINESS_CUSTOMER_PRODUCTS, k=rng.randint(1, 3))
    else:
        customer_codes = rng.sample(catalog.CONSUMER_CUSTOMER_PRODUCTS, k=rng.randint(0, 2))
    for code in customer_codes:
        product = PRODUCTS_BY_CODE[code]
        start = period_start - timedelta(days=rng.randint(30, 1500))
        end = None
        if (index == BIG_CUSTOMER_INDEX and code == "CUS-SEC") or rng.random() < 0.1:
            end = start + timedelta(days=rng.randint(1, (period_start - start).days - 1))
        products.append(
            InitialProduct(
                product_id(), customer_no, None, code, product.name, 1, product.price,
                product.interval, start, end, reference(),
            )
        )  # fmt: skip
    return subscriptions, products
