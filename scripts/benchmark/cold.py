"""(3) Concurrent requests for the big set once its cache is cold: how many upstream calls."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from .common import OWNER_NO

RECORDS_ROUTE = (
    "GET /billing/usage/v1/{ownerNo}/customers/{customerNo}/subscriptions/{subscriptionNo}"
)


def make_cold(sandbox_url: str, customer_no: str) -> None:
    """Every cached read of the customer cold (its generation bumped), the sandbox's counts 0."""
    from billing_bff import caching

    caching.invalidate_customer(ledger_no=OWNER_NO, customer_no=customer_no)
    requests.post(f"{sandbox_url}/_sandbox/stats/reset", timeout=10).raise_for_status()


def concurrent_requests(
    session: requests.Session, url: str, params: dict, n: int
) -> list[tuple[int, float, str]]:
    """`n` requests at once, released together by a barrier: (status, seconds, source) each."""
    token = session.headers["Authorization"]
    barrier = threading.Barrier(n)

    def cold_request(_: int) -> tuple[int, float, str]:
        with requests.Session() as client:
            client.headers["Authorization"] = token
            barrier.wait(timeout=30)
            started = time.perf_counter()
            response = client.get(url, params=params, timeout=60)
            source = response.json().get("meta", {}).get("source", "-") if response.ok else "-"
            return response.status_code, time.perf_counter() - started, source

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(cold_request, range(n)))


def summary(answers: list[tuple[int, float, str]], sandbox_url: str) -> dict:
    """The answers' statuses, sources and times, and the upstream calls the sandbox counted."""
    upstream = requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()
    statuses: dict[str, int] = {}
    sources: dict[str, int] = {}
    for status, _, source in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        sources[source] = sources.get(source, 0) + 1
    return {
        "requests": len(answers),
        "upstream_calls_records": upstream["routes"].get(RECORDS_ROUTE, 0),
        "upstream_calls_total": upstream["total"],
        "statuses": statuses,
        "sources": sources,
        "slowest_ms": max(elapsed for _, elapsed, _ in answers) * 1000,
        "median_ms": statistics.median(elapsed for _, elapsed, _ in answers) * 1000,
    }
