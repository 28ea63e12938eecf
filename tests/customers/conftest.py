"""The demo world over the real stack: seed_demo's users linked to sandbox customers,
the demo catalogue, and API clients logged in as each of them.

anna owns a consumer customer with 3+ subscriptions, bertil views it, cecilia owns a
business customer and a second consumer one, service is a customer-service agent.
The sandbox keeps writes for the whole session, so tests never rely on a value another
test may have changed: they write unique values and find products by the ids they got.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from billing_bff.models import CustomerLink


@dataclass
class Demo:
    anna: object
    bertil: object
    cecilia: object
    service: object
    family: str  # anna's customer (bertil views it)
    business: str  # cecilia's business customer
    second: str  # cecilia's consumer customer

    def api(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client


@pytest.fixture
def demo(db, sandbox) -> Demo:
    call_command("seed_demo", stdout=io.StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    anna_link = CustomerLink.objects.get(user=users["anna"])
    cecilia = list(
        CustomerLink.objects.filter(user=users["cecilia"]).values_list("customer_no", flat=True)
    )
    business = next(
        c["customerNo"]
        for c in sandbox.customers()
        if c["customerNo"] in cecilia and c["legalEntity"] == "business"
    )
    second = next(number for number in cecilia if number != business)
    return Demo(
        anna=users["anna"],
        bertil=users["bertil"],
        cecilia=users["cecilia"],
        service=users["service"],
        family=anna_link.customer_no,
        business=business,
        second=second,
    )


@pytest.fixture
def anna(demo) -> APIClient:
    return demo.api(demo.anna)


@pytest.fixture
def bertil(demo) -> APIClient:
    return demo.api(demo.bertil)


@pytest.fixture
def agent(demo) -> APIClient:
    return demo.api(demo.service)
