"""Goals 1, 2 and 5: warm routes driven by wrk, windows alternating round-robin.

Every route (and the bare view it is divided by) is requested on the same gunicorn, by
the same wrk settings, in windows that take turns: each round runs one window of every
route, the order rotated by one each round, so drift on the machine hits every route
alike. Per route the median of its windows is taken. For each window the run records
wrk's CPU, the upstream calls the sandbox counted during it (a warm route makes none),
and how many bytes the server wrote to its log (a request that logs is not the warm
path). With SO_REUSEPORT (each worker its own listening socket, processes.start_bff),
the kernel spreads wrk's connections over the workers by their addresses; a window
where a worker holds too few of them is run again (up to ATTEMPTS times in all).
"""

from __future__ import annotations

from pathlib import Path

import requests

from . import goals, wrk
from .common import PAGE_SIZE
from .connections import by_worker
from .cpu import CpuMeter

WARM_UP_SECONDS = 1
ATTEMPTS = 3  # a window whose connections landed unbalanced is run again, up to this often

# route name -> what it is, as printed
ROUTES = {
    "bare": "GET /bench/json (bare Django JsonResponse, no auth)",
    "me": "GET /api/v1/me (JWT)",
    "overview": "GET /api/v1/customers/{c}/overview (JWT)",
    "usage": "GET …/subscriptions/{s}/usage?page_size=50, big set (JWT)",
    "usage_small": "GET …/subscriptions/{s}/usage?page_size=50, ~500-record set (JWT)",
    "page": "GET / overview page (session cookie)",
}


def targets(bff: str, *, sets: dict, tokens: dict, cookie: str) -> dict[str, tuple[str, dict]]:
    """Each route's URL and request headers. The overview, /me and the page are the small
    set's customer's (its owner's JWT and browser session); the usage pages are each set's."""
    big, small = sets["big"], sets["small"]

    def usage(chosen: dict) -> str:
        return (
            f"{bff}/api/v1/customers/{chosen['customerNo']}/subscriptions/"
            f"{chosen['subscriptionNo']}/usage?page_size={PAGE_SIZE}"
        )

    def jwt(who: str) -> dict:
        return {"Authorization": f"Bearer {tokens[who]}"}

    return {
        "bare": (f"{bff}/bench/json", {}),
        "me": (f"{bff}/api/v1/me", jwt("small")),
        "overview": (f"{bff}/api/v1/customers/{small['customerNo']}/overview", jwt("small")),
        "usage": (usage(big), jwt("big")),
        "usage_small": (usage(small), jwt("small")),
        "page": (f"{bff}/", {"Cookie": cookie}),
    }


def probe(url: str, headers: dict) -> dict:
    """One request: its status, and for JSON its meta.source and meta.stale."""
    answer = requests.get(url, headers=headers, timeout=60, allow_redirects=False)
    found = {"status": answer.status_code, "bytes": len(answer.content)}
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        meta = answer.json().get("meta") or {}
        found.update(source=meta.get("source"), stale=meta.get("stale"))
    return found


def _window(
    url: str,
    headers: dict,
    *,
    sandbox_url: str,
    server_log: Path,
    seconds: int,
    connections: int,
    server_cores: int,
    cpu: CpuMeter,
    server_port: int,
    workers: list[int],
) -> dict:
    spread: dict[int, int] = {}

    def look(wrk_pid: int) -> None:
        spread.update(by_worker(wrk_pid, server_port, workers))

    calls_before = upstream_calls(sandbox_url)
    log_before = server_log.stat().st_size
    cpu.start()
    window = wrk.window(url, headers=headers, seconds=seconds, connections=connections, during=look)
    used = cpu.stop(wrk_cpu_seconds=window.cpu_seconds)
    calls = upstream_calls(sandbox_url) - calls_before
    by_pid = [spread.get(pid, 0) for pid in workers]
    return {
        **window.as_json(),
        "upstream_calls": calls,
        "server_log_bytes": server_log.stat().st_size - log_before,
        "cpu_per_second_by": used,
        "connections_by_worker": by_pid,
        "problems": goals.window_problems(
            cpu_per_second=window.cpu_per_second,
            server_cores=server_cores,
            non_2xx=window.non_2xx,
            socket_errors=window.socket_errors,
            upstream_calls=calls,
            connections_by_worker=by_pid if spread else None,
        ),
    }


def upstream_calls(sandbox_url: str) -> int:
    return int(requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()["total"])


def warm_up(routes: dict[str, tuple[str, dict]], *, connections: int) -> dict[str, dict]:
    """Each route a few times (any non-200 stops the run), then one short wrk window each
    (not counted): caches, both workers, every connection. Returns a probe of each."""
    for name, (url, headers) in routes.items():
        for _ in range(4):
            found = probe(url, headers)
            if found["status"] != 200:
                raise SystemExit(f"warm-up: {name} ({url}) answered {found['status']}")
    for url, headers in routes.values():
        wrk.window(url, headers=headers, seconds=WARM_UP_SECONDS, connections=connections)
    return {name: probe(url, headers) for name, (url, headers) in routes.items()}


def windows(
    routes: dict[str, tuple[str, dict]],
    *,
    sandbox_url: str,
    server_log: Path,
    seconds: int,
    rounds: int,
    connections: int,
    server_cores: int,
    cpu: CpuMeter,
    server_port: int,
    workers: list[int],
) -> dict[str, list[dict]]:
    """`rounds` windows of `seconds` per route, round-robin; each window as a dict, with
    the CPU (seconds per second) of the processes `cpu` watches and of everything else."""
    names = list(routes)
    found: dict[str, list[dict]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            url, headers = routes[name]
            for attempt in range(1, ATTEMPTS + 1):
                entry = _window(
                    url,
                    headers,
                    sandbox_url=sandbox_url,
                    server_log=server_log,
                    seconds=seconds,
                    connections=connections,
                    server_cores=server_cores,
                    cpu=cpu,
                    server_port=server_port,
                    workers=workers,
                )
                entry.update(route=name, round=index + 1, attempt=attempt)
                unbalanced = [p for p in entry["problems"] if p.startswith(goals.UNBALANCED)]
                if not unbalanced:
                    break
            found[name].append(entry)
    return found
