"""Mutable state: customer contact edits and recurring products, for the process lifetime.

The generated world (`data`) is immutable; the first access copies what the API can
change into this store. One re-entrant lock guards every read-modify-write, so concurrent
requests see whole changes, and an idempotent POST cannot create the same product twice.
`reset()` (POST /_sandbox/state/reset) drops all edits.
"""

import threading
from dataclasses import dataclass, field, replace
from datetime import date

from .data import Customer, World


@dataclass
class Product:
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
    # The validated POST body that created it; None for generated products. An
    # idempotent repeat must carry the same body to get this product back.
    request: dict | None = None

    def is_ended(self, today: date) -> bool:
        # A product whose end is on or before today has ended. One that starts in the
        # future and ends on its start day was cancelled before it began.
        return self.end_date is not None and self.end_date <= max(today, self.start_date)


@dataclass
class State:
    contacts: dict[str, dict] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    by_parent: dict[tuple, list[str]] = field(default_factory=dict)
    by_reference: dict[tuple, str] = field(default_factory=dict)
    next_id: int = 900_000_001


class Store:
    def __init__(self, world: World):
        self.lock = threading.RLock()
        self.state = State()
        for customer in world.customers:
            for initial in customer.products:
                self._add(Product(**{k: getattr(initial, k) for k in _INITIAL_FIELDS}))

    def _add(self, product: Product) -> None:
        state = self.state
        state.products[product.recurring_product_id] = product
        parent = (product.customer_no, product.subscription_no)
        state.by_parent.setdefault(parent, []).append(product.recurring_product_id)
        if product.external_reference:
            state.by_reference[(*parent, product.external_reference)] = product.recurring_product_id

    # --- customers ---

    def contact(self, customer: Customer) -> dict:
        """The customer's editable fields, as the API writes them (a copy)."""
        with self.lock:
            current = self.state.contacts.get(customer.customer_no)
            if current is None:
                current = {
                    "emailAddress": customer.email_address,
                    "msisdn": customer.msisdn,
                    "billingAddress": customer.billing_address.as_json(),
                    "language": customer.language,
                    "invoiceDistribution": customer.invoice_distribution,
                }
            return {**current, "billingAddress": dict(current["billingAddress"])}

    def update_contact(self, customer: Customer, changes: dict) -> dict:
        with self.lock:
            current = self.contact(customer)
            address = {**current["billingAddress"], **changes.get("billingAddress", {})}
            current.update(changes)
            current["billingAddress"] = address
            self.state.contacts[customer.customer_no] = current
            return self.contact(customer)

    # --- recurring products ---

    def products_of(self, customer_no: str, subscription_no: str | None) -> list[Product]:
        with self.lock:
            ids = self.state.by_parent.get((customer_no, subscription_no), [])
            return [_copy(self.state.products[i]) for i in ids]

    def product(
        self, customer_no: str, subscription_no: str | None, product_id: str
    ) -> Product | None:
        with self.lock:
            found = self.state.products.get(product_id)
            if found is None or (found.customer_no, found.subscription_no) != (
                customer_no,
                subscription_no,
            ):
                return None
            return _copy(found)

    def by_reference(
        self, customer_no: str, subscription_no: str | None, reference: str
    ) -> Product | None:
        with self.lock:
            found = self.state.by_reference.get((customer_no, subscription_no, reference))
            return _copy(self.state.products[found]) if found else None

    def create(self, product: Product) -> tuple[Product, bool]:
        """Add `product` unless its external reference exists under the same parent.

        Returns (the product stored under that reference or the new one, created?).
        """
        with self.lock:
            if product.external_reference:
                existing = self.by_reference(
                    product.customer_no, product.subscription_no, product.external_reference
                )
                if existing is not None:
                    return existing, False
            product.recurring_product_id = str(self.state.next_id)
            self.state.next_id += 1
            self._add(_copy(product))
            return _copy(product), True

    def update(self, product_id: str, **changes) -> Product:
        with self.lock:
            stored = self.state.products[product_id]
            for name, value in changes.items():
                setattr(stored, name, value)
            return _copy(stored)


_INITIAL_FIELDS = (
    "recurring_product_id", "customer_no", "subscription_no", "product_code", "description",
    "quantity", "unit_price", "charge_interval", "start_date", "end_date",
    "external_reference",
)  # fmt: skip


def _copy(product: Product) -> Product:
    # Callers get copies, so nothing changes the stored product outside the lock.
    return replace(product)


_store: Store | None = None
_store_lock = threading.Lock()


def get_store(world: World) -> Store:
    global _store
    with _store_lock:
        if _store is None:
            _store = Store(world)
        return _store


def reset() -> None:
    global _store
    with _store_lock:
        _store = None
