"""The local sandbox's own control endpoints (not part of PayEx's contract).

Only development tooling (seed_demo) calls them; they share the upstream session so
that `requests` stays inside billing_bff/upstream/.
"""

from __future__ import annotations

import requests
from django.conf import settings

from .session import get_session


class SandboxUnavailable(Exception):
    pass


def sandbox_customers() -> list[dict]:
    """`GET /_sandbox/customers`: the customers the sandbox generated."""
    url = f"{settings.PAYEX_BASE_URL.rstrip('/')}/_sandbox/customers"
    try:
        response = get_session("sandbox").get(url, timeout=(3.05, 10))
        response.raise_for_status()
        customers = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SandboxUnavailable(f"{url} ({type(exc).__name__})") from exc
    if not isinstance(customers, list):
        raise SandboxUnavailable(f"{url} answered something other than a list")
    return customers
