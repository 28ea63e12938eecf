"""Cold loads: (4) the cold first page against the upstream's own cost, and (3) concurrent
requests for a cold set, and the upstream calls they cost."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from .common import OWNER_NO, SANDBOX_TOKEN
from .memory import RssSampler, memory_of

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


def fastest_json():
    """(name, loads) of the fastest JSON parser importable here: orjson, else json."""
    try:
        import orjson
    except ImportError:
        import json

        return "json", json.loads
    return "orjson", orjson.loads


def cold_against_upstream(
    session: requests.Session,
    url: str,
    params: dict,
    *,
    sandbox_url: str,
    chosen: dict,
    workers: list[int],
    rounds: int,
) -> dict:
    """(4) The cold first page of a set ÷ fetching its upstream body and parsing it.

    Each round, in alternating order: the customer's cache made cold (make_cold) and the
    first page asked of the BFF, its workers' RSS sampled meanwhile; and the same upstream
    body fetched straight from the sandbox (one keep-alive session, as the BFF's client
    keeps one) and parsed with the fastest parser importable. The RSS figure is the
    highest RSS any worker reached during the BFF's cold loads (sampled every 20 ms, or
    its VmHWM when that rose) above that worker's RSS just before the first of them.
    """
    name, loads = fastest_json()
    customer, subscription = chosen["customerNo"], chosen["subscriptionNo"]
    upstream_url = (
        f"{sandbox_url}/billing/usage/v1/{OWNER_NO}/customers/{customer}"
        f"/subscriptions/{subscription}"
    )
    direct = requests.Session()
    direct.headers["Authorization"] = f"Bearer {SANDBOX_TOKEN}"
    direct.get(upstream_url, timeout=60).raise_for_status()  # its connection, not timed
    times: dict[str, list[float]] = {"bff": [], "upstream": []}
    records_calls: list[int] = []
    parsed_records = 0
    before = memory_of(workers)
    sampler = RssSampler(workers)

    def bff_cold() -> None:
        make_cold(sandbox_url, customer)
        started = time.perf_counter()
        answer = session.get(url, params=params, timeout=120)
        times["bff"].append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"cold page answered {answer.status_code}: {answer.text[:500]}")
        stats = requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()
        records_calls.append(stats["routes"].get(RECORDS_ROUTE, 0))

    def upstream() -> None:
        nonlocal parsed_records
        started = time.perf_counter()
        answer = direct.get(upstream_url, timeout=120)
        body = loads(answer.content)
        times["upstream"].append(time.perf_counter() - started)
        answer.raise_for_status()
        parsed_records = len(body["usage"])

    with sampler:
        for index in range(rounds):
            for step in (bff_cold, upstream) if index % 2 == 0 else (upstream, bff_cold):
                step()
    after = memory_of(workers)
    direct.close()
    above_rest = {}
    for pid in workers:
        peak = sampler.peak.get(pid, 0)
        if after[pid]["VmHWM"] > before[pid]["VmHWM"]:
            peak = max(peak, after[pid]["VmHWM"])
        above_rest[str(pid)] = (peak - before[pid]["VmRSS"]) / 1024
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    return {
        "rounds": rounds,
        "parser": name,
        "bff_ms": [t * 1000 for t in times["bff"]],
        "upstream_ms": [t * 1000 for t in times["upstream"]],
        "median_ms": medians,
        "ratio": medians["bff"] / medians["upstream"],
        "upstream_records_calls": records_calls,
        "parsed_records": parsed_records,
        "rest_rss_kib": {str(pid): before[pid]["VmRSS"] for pid in workers},
        "peak_rss_above_rest_mib": above_rest,
        "peak_rss_above_rest_max_mib": max(above_rest.values()),
    }
