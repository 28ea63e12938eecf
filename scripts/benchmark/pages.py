"""Sequential warm pages of the big and the small set, plain and filtered, and the store alone.

One request at a time from this process (latencies, not throughput: goal 2 itself is
measured with wrk by scripts.benchmark.throughput).

`sets` maps "big" and "small" to (the owner's logged-in session, the set's usage URL).
"""

from __future__ import annotations

import random
import statistics
import time

import requests

from .common import OWNER_NO, PAGE_SIZE, summarise, timed_get

PLAIN = {"page_size": PAGE_SIZE}
FILTERED = {"page_size": PAGE_SIZE, "usage_type": "data", "sort": "-amount"}
KINDS = {"plain": PLAIN, "filtered": FILTERED}

Sets = dict[str, tuple[requests.Session, str]]


def first_requests(sets: Sets) -> tuple[dict, dict]:
    """The first plain page of each set, then the first request of each filtered view (which
    computes and keeps it). The big set is warm by then (goal 4 loaded it); the small one
    is loaded cold here.

    Returns the times (ms) and the counts of the sets and of their filtered views.
    """
    (big_session, big_url), (small_session, small_url) = sets["big"], sets["small"]
    _, big_body = timed_get(big_session, big_url, PLAIN)
    small_cold, small_body = timed_get(small_session, small_url, PLAIN)
    big_view, big_filtered = timed_get(big_session, big_url, FILTERED)
    small_view, small_filtered = timed_get(small_session, small_url, FILTERED)
    times = {
        "small cold load": small_cold * 1000,
        "big filtered view computed": big_view * 1000,
        "small filtered view computed": small_view * 1000,
    }
    counts = {
        "big": big_body["count"],
        "small": small_body["count"],
        "big filtered": big_filtered["count"],
        "small filtered": small_filtered["count"],
    }
    return times, counts


def pages_used(counts: dict) -> dict[str, int]:
    """The same page numbers for both sets: as many pages as the smaller view has, up to 10."""
    return {
        "plain": max(1, min(10, -(-counts["small"] // PAGE_SIZE))),
        "filtered": max(1, min(10, -(-counts["small filtered"] // PAGE_SIZE))),
    }


def warm_up(sets: Sets, pages: dict[str, int]) -> None:
    """Every page used below once, on every worker, so each timed request is warm."""
    for kind, params in KINDS.items():
        for page in range(1, pages[kind] + 1):
            for session, url in (sets["big"], sets["small"]):
                for _ in range(2):
                    timed_get(session, url, {**params, "page": page})


def warm_series(sets: Sets, pages: dict[str, int], n: int) -> tuple[dict, int]:
    """The four timed series, interleaved: each round one request of each, shuffled.

    Returns the samples (seconds) by (kind, set) and how many answers were not cached.
    """
    series = {
        ("plain", "big"): (*sets["big"], PLAIN),
        ("plain", "small"): (*sets["small"], PLAIN),
        ("filtered", "big"): (*sets["big"], FILTERED),
        ("filtered", "small"): (*sets["small"], FILTERED),
    }
    samples: dict[tuple, list[float]] = {name: [] for name in series}
    not_cached = 0
    order = list(series)
    rng = random.Random(6)  # noqa: S311 - a fixed shuffle, not a secret
    for index in range(n):
        rng.shuffle(order)
        for name in order:
            session, url, params = series[name]
            page = 1 + index % pages[name[0]]
            elapsed, body = timed_get(session, url, {**params, "page": page})
            samples[name].append(elapsed)
            not_cached += body["meta"]["source"] != "cache"
    return samples, not_cached


def summary(samples: dict[tuple, list[float]], not_cached: int) -> dict:
    """(1) and (2): the series' statistics and the big ÷ small ratios."""
    stats = {f"{kind} {size}": summarise(values) for (kind, size), values in samples.items()}
    return {
        "warm": stats,
        "warm_not_from_cache": not_cached,
        "ratios": {
            kind: {
                "median": stats[f"{kind} big"]["median_ms"] / stats[f"{kind} small"]["median_ms"],
                "p95": stats[f"{kind} big"]["p95_ms"] / stats[f"{kind} small"]["p95_ms"],
            }
            for kind in ("plain", "filtered")
        },
    }


def store_only(big: dict, small: dict, pages: dict, n: int) -> dict:
    """Median time of usage.selectors.usage_page in this process, big ÷ small."""
    from billing_bff.access import system_access
    from usage import selectors, store

    queries = {
        "plain": dict(sort="-time"),
        "filtered": dict(usage_types=("data",), sort="-amount"),
    }
    times: dict[str, list[float]] = {}
    for _ in range(n):
        for kind, fields in queries.items():
            for label, chosen in (("big", big), ("small", small)):
                access = system_access(OWNER_NO, chosen["customerNo"])
                page = 1 + len(times.get(f"{kind} {label}", [])) % pages[kind]
                query = store.Query(page=page, page_size=PAGE_SIZE, **fields)
                started = time.perf_counter()
                selectors.usage_page(
                    access=access, subscription_no=chosen["subscriptionNo"], query=query
                )
                times.setdefault(f"{kind} {label}", []).append(time.perf_counter() - started)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {
        "median_ms": medians,
        "ratio": {
            kind: medians[f"{kind} big"] / medians[f"{kind} small"]
            for kind in ("plain", "filtered")
        },
    }
