"""Demo users linked to sandbox customers, for `make run` and local trials.

Reads the sandbox's control endpoint `GET {PAYEX_BASE_URL}/_sandbox/customers` (a
local development tool, reached through billing_bff.upstream.sandbox) and
picks customers deterministically: the first in the sandbox's order that fits.

    anna     owner of a consumer customer with at least 3 subscriptions
    bertil   viewer of anna's customer
    cecilia  owner of the business customer with 25+ subscriptions (the one with a big
             unbilled subscription, if any) and of a second consumer customer
    service  staff, in the "Customer service" group holding the agent permission

It also fills the self-service catalogue (customers.models.CatalogueProduct) with the
sandbox's orderable products, when they are not there yet (see `seed_catalogue`).

Idempotent: existing users and links are left as they are (passwords too, unless
--reset-passwords). Refuses to run unless PAYEX_SANDBOX is on: it makes a staff user
with a published password.
"""

from __future__ import annotations

import os
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from billing_bff.models import CustomerLink, Role
from billing_bff.upstream.sandbox import SandboxUnavailable, sandbox_customers
from customers.models import CatalogueProduct

DEFAULT_PASSWORD = "mypages-demo"  # noqa: S105 - the documented demo password
AGENT_GROUP = "Customer service"


class Command(BaseCommand):
    help = "Create the demo users anna, bertil, cecilia and service, linked to sandbox customers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set existing demo users' passwords back to the demo password.",
        )

    def handle(self, *args, reset_passwords: bool = False, **options):
        if not settings.PAYEX_SANDBOX:
            raise CommandError("seed_demo runs only against the sandbox (PAYEX_SANDBOX=true).")
        customers = self._fetch_customers()
        plan = _choose(customers)
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            users = {
                name: self._user(name, password=password, reset=reset_passwords)
                for name in ("anna", "bertil", "cecilia", "service")
            }
            for username, customer, role in plan:
                self._link(users[username], customer, role)
            self._agent(users["service"])
            seed_catalogue(stdout=self.stdout)

    def _fetch_customers(self) -> list[dict]:
        try:
            return sandbox_customers()
        except SandboxUnavailable as exc:
            raise CommandError(
                f"The sandbox did not answer: {exc}. "
                "Start it with `make sandbox` (or `make run`) and try again."
            ) from exc

    def _user(self, username: str, *, password: str, reset: bool):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": username == "service"}
        )
        if created or reset:
            user.set_password(password)
            user.save(update_fields=["password"])
        state = "created" if created else ("password reset" if reset else "exists, unchanged")
        self.stdout.write(f"user {username}: {state}")
        return user

    def _link(self, user, customer: dict, role: str) -> None:
        link, created = CustomerLink.objects.get_or_create(
            user=user,
            ledger_no=settings.PAYEX_OWNER_NO,
            customer_no=str(customer["customerNo"]),
            defaults={"role": role, "display_name": customer.get("name", "")[:200]},
        )
        state = "linked" if created else "already linked"
        self.stdout.write(
            f"  {user.username} → customer {link.customer_no} "
            f"({customer.get('legalEntity')}, {customer.get('subscriptionCount')} subscriptions) "
            f"as {link.role}: {state}"
        )

    def _agent(self, user) -> None:
        permission = Permission.objects.get(
            content_type__app_label="billing_bff", codename="act_as_agent"
        )
        group, _ = Group.objects.get_or_create(name=AGENT_GROUP)
        group.permissions.add(permission)
        user.groups.add(group)
        self.stdout.write(f"  {user.username}: staff, in group {AGENT_GROUP!r} (agent)")


def _choose(customers: list[dict]) -> list[tuple[str, dict, str]]:
    """(username, customer, role) for every demo link; CommandError if the data lacks one."""

    def count(c: dict) -> int:
        return int(c.get("subscriptionCount") or 0)

    consumers = [c for c in customers if c.get("legalEntity") == "consumer"]
    family = next((c for c in consumers if count(c) >= 3), None)
    big = [c for c in customers if c.get("legalEntity") == "business" and count(c) >= 25]
    business = next((c for c in big if c.get("bigUnbilledSubscription")), None) or next(
        iter(big), None
    )
    second = next((c for c in consumers if family is None or c is not family), None)
    missing = [
        what
        for what, found in [
            ("a consumer customer with 3+ subscriptions", family),
            ("a business customer with 25+ subscriptions", business),
            ("a second consumer customer", second),
        ]
        if found is None
    ]
    if missing:
        raise CommandError("The sandbox has no " + ", nor ".join(missing) + ".")
    return [
        ("anna", family, Role.OWNER),
        ("bertil", family, Role.VIEWER),
        ("cecilia", business, Role.OWNER),
        ("cecilia", second, Role.OWNER),
    ]


# --- The self-service catalogue (customers) ----------------------------------------------
# (code, Swedish name, English name, price excl. VAT, interval, level, owners may order)
# Prices match the sandbox's catalogue; products for broadband or IoT lines and the
# business services are for customer service to order.
_SUB, _CUS = "subscription", "customer"
DEMO_CATALOGUE = (
    ("ADD-SURF10", "Extra surf 10 GB", "Extra data 10 GB", "79.20", "monthly", _SUB, True),
    ("ADD-ROAM-EU", "Roaming EU", "Roaming EU", "39.20", "monthly", _SUB, True),
    ("ADD-ROAM-WORLD", "Roaming världen", "Roaming World", "119.20", "monthly", _SUB, True),
    ("ADD-INS", "Mobilförsäkring", "Phone insurance", "79.20", "monthly", _SUB, True),
    ("ADD-MUSIC", "Musikstreaming", "Music streaming", "87.20", "monthly", _SUB, True),
    ("ADD-TWINSIM", "Tvilling-SIM", "Twin SIM", "39.20", "monthly", _SUB, True),
    ("ADD-FIXIP", "Fast IP-adress", "Fixed IP", "39.20", "monthly", _SUB, False),
    ("ADD-TV", "TV Bas", "TV Basic", "159.20", "monthly", _SUB, False),
    ("ADD-ROUTER", "Hyrrouter", "Router rental", "39.20", "monthly", _SUB, False),
    ("CUS-INS", "Hemelektronikförsäkring", "Home electronics insurance", "63.20", "monthly", _CUS,
     True),
    ("CUS-SEC", "Säkerhetspaket", "Security package", "47.20", "monthly", _CUS, True),
    ("CUS-SUPPORT", "Support Plus", "Support Plus", "450.00", "quarterly", _CUS, False),
    ("CUS-PORTAL", "Administrationsportal", "Admin portal", "1200.00", "yearly", _CUS, False),
)  # fmt: skip


def seed_catalogue(*, stdout=None) -> int:
    """Add the demo catalogue's products that are missing; existing ones are left as edited."""
    added = 0
    for code, name_sv, name_en, price, interval, level, owners in DEMO_CATALOGUE:
        _, created = CatalogueProduct.objects.get_or_create(
            product_code=code,
            defaults={
                "name_sv": name_sv,
                "name_en": name_en,
                "unit_price": Decimal(price),
                "charge_interval": interval,
                "level": level,
                "owners_may_order": owners,
            },
        )
        added += created
    if stdout is not None:
        stdout.write(f"catalogue: {added} products added, {len(DEMO_CATALOGUE) - added} kept")
    return added
