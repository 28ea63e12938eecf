"""The run's data: the two sets picked from the sandbox, the database, owners and logins.

Everything here that touches Django runs in the benchmark's own process, after
setup_django(), with the same environment as the BFF's gunicorn.
"""

from __future__ import annotations

import os
import re
import sys

import requests

from .common import OWNER_NO, ROOT, SANDBOX_TOKEN


def choose_customers(sandbox_url: str) -> dict:
    """The big customer and the subscription whose unbilled count is closest to 500."""
    customers = requests.get(f"{sandbox_url}/_sandbox/customers", timeout=10).json()
    big = next(c for c in customers if c["bigUnbilledSubscription"])
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    best = None
    for customer in customers:
        if customer is big:
            continue
        url = f"{sandbox_url}/billing/usage/v1/{OWNER_NO}/customers/{customer['customerNo']}"
        summary = requests.get(url, headers=headers, timeout=10).json()
        for item in summary["subscriptions"]:
            distance = abs(int(item["recordCount"]) - 500)
            if best is None or distance < best[0]:
                best = (distance, customer, item)
    _, small, small_sub = best
    big_url = f"{sandbox_url}/billing/usage/v1/{OWNER_NO}/customers/{big['customerNo']}"
    big_summary = requests.get(big_url, headers=headers, timeout=10).json()
    big_count = next(
        s["recordCount"]
        for s in big_summary["subscriptions"]
        if s["subscriptionNo"] == big["bigUnbilledSubscription"]
    )
    return {
        "big": {
            "customerNo": big["customerNo"],
            "name": big["name"],
            "subscriptionNo": big["bigUnbilledSubscription"],
            "recordCount": big_count,
        },
        "small": {
            "customerNo": small["customerNo"],
            "name": small["name"],
            "subscriptionNo": small_sub["subscriptionNo"],
            "recordCount": small_sub["recordCount"],
        },
    }


def records_url(bff: str, chosen: dict) -> str:
    customer, subscription = chosen["customerNo"], chosen["subscriptionNo"]
    return f"{bff}/api/v1/customers/{customer}/subscriptions/{subscription}/usage"


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def make_owner(username: str, password: str, customer: dict) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from billing_bff.models import CustomerLink

    user = get_user_model().objects.create_user(username=username, password=password)
    CustomerLink.objects.create(
        user=user,
        ledger_no=settings.PAYEX_OWNER_NO,
        customer_no=customer["customerNo"],
        role="owner",
        display_name=customer["name"],
    )


def login(bff: str, username: str, password: str) -> requests.Session:
    answer = requests.post(
        f"{bff}/api/v1/auth/token", json={"username": username, "password": password}, timeout=10
    )
    if answer.status_code != 200:
        raise SystemExit(f"login of {username} answered {answer.status_code}: {answer.text}")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {answer.json()['access']}"
    return session


def cleanup_redis(prefix: str) -> int:
    from billing_bff.redis import get_redis

    r = get_redis()
    removed = 0
    batch = []
    for name in r.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(name)
        if len(batch) >= 500:
            removed += r.delete(*batch)
            batch = []
    if batch:
        removed += r.delete(*batch)
    return removed


def browser_login(bff: str, username: str, password: str) -> requests.Session:
    """A browser's session: the site's login form fetched, posted with its CSRF token.

    Then `/` is asked once: with one linked customer it chooses that customer in the
    session (a write, done here and not during the measured windows) and must answer 200.
    """
    session = requests.Session()
    form = session.get(f"{bff}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        raise SystemExit(f"the login page answered {form.status_code} without a CSRF token")
    answer = session.post(
        f"{bff}/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password,
            "next": "/",
        },
        headers={"Referer": f"{bff}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"the login form of {username} answered {answer.status_code}")
    home = session.get(f"{bff}/", timeout=60, allow_redirects=False)
    if home.status_code != 200:
        raise SystemExit(f"the overview page answered {home.status_code} after login")
    return session


def cookie_header(session: requests.Session) -> str:
    """The session's cookies as one Cookie header (for wrk)."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)
