"""What every part of the benchmark shares: where things are, the sandbox's owner, output."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
OWNER_NO = "501"
SANDBOX_TOKEN = "sandbox-501"  # noqa: S105 - the sandbox's public token
PAGE_SIZE = 50


def say(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": p95 * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def timed_get(session: requests.Session, url: str, params: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=30)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {url} {params} answered {response.status_code}: {response.text}")
    return elapsed, response.json()
