"""The cold overview against one upstream call (its warm throughput is goal 1, measured by
scripts.benchmark.throughput with wrk)."""

from __future__ import annotations

import time

import requests

from .common import OWNER_NO, SANDBOX_TOKEN, summarise, timed_get

OVERVIEW_LATENCY_MS = 100


def _sandbox_faults(sandbox_url: str, **faults) -> None:
    requests.post(f"{sandbox_url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()


def overview_cold(
    session: requests.Session, bff: str, sandbox_url: str, customer_no: str, *, rounds: int
) -> dict:
    """Cold overview ÷ cold profile, each call to the sandbox taking 100 ms more.

    Before every request the customer's cache generation is bumped, so every section
    is read from the sandbox again; the sandbox counts the calls each request made.
    """
    from billing_bff import caching

    urls = {
        "overview": f"{bff}/api/v1/customers/{customer_no}/overview",
        "profile": f"{bff}/api/v1/customers/{customer_no}",
    }
    samples: dict[str, list[float]] = {name: [] for name in urls}
    calls: dict[str, list[int]] = {name: [] for name in urls}
    not_upstream = 0
    direct: list[float] = []
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    upstream_profile = f"{sandbox_url}/billing/customer/v1/{OWNER_NO}/customers/{customer_no}"
    _sandbox_faults(sandbox_url, latencyMs=OVERVIEW_LATENCY_MS, jitterMs=0)
    try:
        # Warm-up (not counted): connections, both workers' thread pools, imports.
        for _ in range(4):
            for url in urls.values():
                caching.invalidate_customer(ledger_no=OWNER_NO, customer_no=customer_no)
                timed_get(session, url, {})
        for index in range(rounds):
            for name in ("overview", "profile") if index % 2 == 0 else ("profile", "overview"):
                caching.invalidate_customer(ledger_no=OWNER_NO, customer_no=customer_no)
                requests.post(f"{sandbox_url}/_sandbox/stats/reset", timeout=10)
                elapsed, body = timed_get(session, urls[name], {})
                samples[name].append(elapsed)
                calls[name].append(
                    requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()["total"]
                )
                not_upstream += body["meta"]["source"] != "upstream"
            started = time.perf_counter()
            requests.get(upstream_profile, headers=headers, timeout=30).raise_for_status()
            direct.append(time.perf_counter() - started)
    finally:
        requests.post(f"{sandbox_url}/_sandbox/faults/reset", timeout=10)
    stats = {name: summarise(values) for name, values in samples.items()}
    return {
        "latency_ms": OVERVIEW_LATENCY_MS,
        "rounds": rounds,
        "overview": stats["overview"],
        "profile": stats["profile"],
        "direct_upstream": summarise(direct),
        "upstream_calls": {name: sorted(set(values)) for name, values in calls.items()},
        "not_from_upstream": not_upstream,
        "ratio": {
            "median": stats["overview"]["median_ms"] / stats["profile"]["median_ms"],
            "p95": stats["overview"]["p95_ms"] / stats["profile"]["p95_ms"],
        },
    }
