"""(5) and (6): the overview, cold against one upstream call, warm against a bare view."""

from __future__ import annotations

import threading
import time

import requests

from .common import OWNER_NO, SANDBOX_TOKEN, summarise, timed_get

OVERVIEW_LATENCY_MS = 100


def _sandbox_faults(sandbox_url: str, **faults) -> None:
    requests.post(f"{sandbox_url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()


def overview_cold(
    session: requests.Session, bff: str, sandbox_url: str, customer_no: str, *, rounds: int
) -> dict:
    """(5) Cold overview ÷ cold profile, each call to the sandbox taking 100 ms more.

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


def _load(url: str, headers: dict, *, clients: int, seconds: float) -> dict:
    """`clients` keep-alive clients requesting `url` as fast as they can for `seconds`."""
    barrier = threading.Barrier(clients + 1)
    counts = {"ok": 0, "failed": 0, "not_cached": 0}
    lock = threading.Lock()
    stop_at: list[float] = []

    def client() -> None:
        ok = failed = not_cached = 0
        with requests.Session() as session:
            session.headers.update(headers)
            session.get(url, timeout=30)  # its connection, before the window opens
            barrier.wait(timeout=60)
            while time.perf_counter() < stop_at[0]:
                response = session.get(url, timeout=30)
                if response.status_code != 200:
                    failed += 1
                    continue
                ok += 1
                not_cached += b'"source":"upstream"' in response.content
        with lock:
            counts["ok"] += ok
            counts["failed"] += failed
            counts["not_cached"] += not_cached

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    stop_at.append(time.perf_counter() + 3600)  # replaced once everyone is connected
    barrier.wait(timeout=60)
    started = time.perf_counter()
    cpu_started = time.process_time()
    stop_at[0] = started + seconds
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    return {
        **counts,
        "seconds": elapsed,
        "client_cpu_seconds": time.process_time() - cpu_started,
    }


def overview_rps(
    session: requests.Session, bff: str, customer_no: str, *, clients: int, seconds: float
) -> dict:
    """(6) Warm overview requests per second ÷ a bare Django JSON view's, same server.

    Windows alternate (bare, me, overview, bare, ...), so drift hits all alike. `me`
    (GET /api/v1/me: authentication and two small queries, no billing data) shows what
    any authenticated API request costs here. The overview is warmed first and must
    come from the cache throughout.
    """
    overview = f"{bff}/api/v1/customers/{customer_no}/overview"
    auth = {"Authorization": session.headers["Authorization"]}
    targets = {
        "bare": (f"{bff}/bench/json", {}),
        "me": (f"{bff}/api/v1/me", auth),
        "overview": (overview, auth),
    }
    for _ in range(4):
        timed_get(session, overview, {})
    totals = {
        name: {"ok": 0, "failed": 0, "not_cached": 0, "seconds": 0.0, "client_cpu_seconds": 0.0}
        for name in targets
    }
    windows = 2
    for _ in range(windows):
        for name, (url, headers) in targets.items():
            window = _load(url, headers, clients=clients, seconds=seconds)
            for key, value in window.items():
                totals[name][key] += value
    rps = {name: t["ok"] / t["seconds"] for name, t in totals.items()}
    return {
        "clients": clients,
        "window_seconds": seconds,
        "windows_each": windows,
        "totals": totals,
        "rps": rps,
        "ratio": rps["overview"] / rps["bare"],
    }
