"""Redis stopped (a private redis-server, really stopped): the service degrades, it does
not fail. Logins work (throttle in the process's memory, sessions from the database),
reads come from PayEx directly and say so (`meta.source: "upstream"`), usage pages,
filters, sorts, totals and CSV answer as they do with Redis, writes refuse with a 503
problem before anything reaches PayEx, and all of it comes back without a restart."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from customers.management.commands.seed_demo import DEFAULT_PASSWORD as PASSWORD

PATCH_ROUTE = "PATCH /billing/customer/v1/{ownerNo}/customers/{customerNo}"


@pytest.fixture
def family(demo, outage_redis):
    client = APIClient()
    answer = client.post(
        "/api/v1/auth/token", {"username": "anna", "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 200, answer.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access']}")
    base = f"/api/v1/customers/{demo.family}"
    subscription = client.get(f"{base}/subscriptions").json()["results"][0]["subscriptionNo"]
    return client, base, subscription


def usage_views(client, base: str, subscription: str) -> dict:
    """Every view of a usage set a client asks for, without its freshness."""
    url = f"{base}/subscriptions/{subscription}/usage"
    views = {}
    for query in ("", "?sort=-amount&page_size=7&page=2", "?usage_type=data&sort=volume"):
        body = client.get(url + query).json()
        assert body["meta"]["source"] in ("cache", "upstream")
        views[query] = {k: v for k, v in body.items() if k != "meta"}
    views["csv"] = b"".join(client.get(url + "?format=csv").streaming_content)
    return views


@pytest.mark.django_db(transaction=True)
def test_reads_answer_from_payex_and_say_so(family, outage_redis, sandbox):
    client, base, subscription = family
    with_redis = usage_views(client, base, subscription)

    outage_redis.stop()
    assert client.get("/readyz").status_code == 503
    overview = client.get(f"{base}/overview")
    assert overview.status_code == 200
    sections = [v for v in overview.json().values() if isinstance(v, dict) and "meta" in v]
    assert sections and all(s["meta"]["source"] == "upstream" for s in sections)
    profile = client.get(base)
    assert (profile.status_code, profile.json()["meta"]["source"]) == (200, "upstream")
    assert usage_views(client, base, subscription) == with_redis


@pytest.mark.django_db(transaction=True)
def test_logins_work_and_the_throttle_still_counts(demo, outage_redis, settings):
    settings.LOGIN_FAIL_LIMIT_PAIR = 3
    outage_redis.stop()
    api = APIClient()
    token = {"username": "anna", "password": PASSWORD}
    assert api.post("/api/v1/auth/token", token, format="json").status_code == 200

    site = Client()
    assert site.post("/login/", token).status_code == 302
    assert site.get("/").status_code == 200  # the session was read back from the database

    wrong = {"username": "bertil", "password": "not-it"}
    statuses = [api.post("/api/v1/auth/token", wrong, format="json").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


@pytest.mark.django_db(transaction=True)
def test_writes_refuse_before_reaching_payex(family, outage_redis, sandbox):
    client, base, _ = family
    outage_redis.stop()
    change = {"emailAddress": "no-redis@example.com"}
    keyed = client.patch(base, change, format="json", HTTP_IDEMPOTENCY_KEY="k-no-redis-1")
    unkeyed = client.patch(base, change, format="json")
    for answer in (keyed, unkeyed):
        assert answer.status_code == 503
        assert answer["Content-Type"] == "application/problem+json"
        assert int(answer["Retry-After"]) > 0
    assert sandbox.route_count(PATCH_ROUTE) == 0
    assert client.post(f"{base}/refresh").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_recovery_needs_no_restart(family, outage_redis, sandbox):
    client, base, _ = family
    outage_redis.stop()
    assert client.get(base).json()["meta"]["source"] == "upstream"
    outage_redis.start()
    time.sleep(0.3)  # REDIS_RETRY_SECONDS in this test
    assert client.get(base).json()["meta"]["source"] == "upstream"  # cold, now kept
    assert client.get(base).json()["meta"]["source"] == "cache"
    change = {"emailAddress": "redis-back@example.com"}
    assert client.patch(base, change, format="json").status_code == 200
    assert client.get("/readyz").status_code == 200
