#!/usr/bin/env python
"""The usage API under a production web server: run by hand (`make benchmark`), not by tests.

Starts the sandbox (`python -m sandbox`) on a free loopback port, migrates a throwaway
SQLite database, makes two demo owners (the sandbox's big customer, and the customer
whose unbilled subscription is closest to 500 records), starts the BFF under gunicorn
(config.settings.local, DEBUG=false, 2 gthread workers) on a free port, logs in through
the API and prints, measured in this one run:

  1. warm-cache time of a 50-record page of the big subscription ÷ the same for the
     ~500-record one (target ≤ 1.5), medians and p95 over --requests requests each;
  2. the same for a filtered and sorted page (usage_type=data&sort=-amount; the view is
     computed by its first request and kept, so "warm" is the second request onward);
  3. upstream calls made by --concurrency concurrent requests for the big set once its
     cache is cold (the customer's generation bumped), counted by the sandbox (target 1);
  4. peak memory (VmHWM and sampled VmRSS from /proc) of each web worker while serving
     the big set, cold and warm;
  5. with the sandbox adding 100 ms to every call (/_sandbox/faults latencyMs=100), a
     cold overview (GET /api/v1/customers/{no}/overview, four upstream reads run
     concurrently) ÷ a cold profile (GET /api/v1/customers/{no}, one upstream read),
     both through the BFF, medians over --overview-rounds rounds (target < 2);
  6. requests per second of the warm overview ÷ those of a bare Django JSON view
     (/bench/json, routed because the run sets BENCHMARK_VIEWS=true) on the same server,
     --rps-clients keep-alive clients in alternating windows of --rps-seconds
     (target ≥ 0.5).

The four timed series are interleaved request by request (the order shuffled each round,
the same page numbers for both sets), so drift on the machine hits all of them alike;
so are the rounds of (5) and the windows of (6).

Redis: REDIS_URL (default redis://127.0.0.1:6379/0). Every key the run writes is under
its own prefix (bench-<random>) and removed at exit; nothing else is touched. Every
process it starts listens on 127.0.0.1 only and is stopped at exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
OWNER_NO = "501"
SANDBOX_TOKEN = "sandbox-501"  # noqa: S105 - the sandbox's public token
RECORDS_ROUTE = (
    "GET /billing/usage/v1/{ownerNo}/customers/{customerNo}/subscriptions/{subscriptionNo}"
)
START_TIMEOUT = 60.0
PAGE_SIZE = 50
TARGET_RATIO = 1.5
OVERVIEW_LATENCY_MS = 100
TARGET_COLD_OVERVIEW = 2.0
TARGET_OVERVIEW_RPS = 0.5
PROFILE_ROUTE = "GET /billing/customer/v1/{ownerNo}/customers/{customerNo}"


# --- processes -----------------------------------------------------------------------------
class Processes:
    """The processes this run started; all of them are stopped by stop_all()."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child holds its own descriptor
        self.started.append((name, process))
        return process

    def log_tail(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop_all(self) -> None:
        for _, process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for _, process in reversed(self.started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def say(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_ok(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode} before answering")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} did not answer at {url} within {START_TIMEOUT:.0f}s")


def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes: the children of its master."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(entry.name))
    return sorted(children)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak so far) of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


class RssSampler:
    """The highest VmRSS of the given processes, sampled every 20 ms while running."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            for pid in self.pids:
                with contextlib.suppress(OSError, KeyError):  # a worker may be restarting
                    self.peak[pid] = max(self.peak[pid], memory_kib(pid)["VmRSS"])

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


# --- measuring -------------------------------------------------------------------------------
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


def machine() -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": model,
        "cpus": str(os.cpu_count()),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


# --- the run ---------------------------------------------------------------------------------
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


def run(args: argparse.Namespace, procs: Processes, work: Path, state: dict) -> dict:
    results: dict = {"machine": machine(), "requests": args.requests}
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = state["prefix"]

    # The sandbox, with the default world and no faults.
    sandbox_port = free_port()
    sandbox_env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    sandbox_env.pop("DJANGO_SETTINGS_MODULE", None)
    sandbox_env.update(
        SANDBOX_PORT=str(sandbox_port),
        SANDBOX_OWNER_NO=OWNER_NO,
        SANDBOX_TOKEN=SANDBOX_TOKEN,
        SANDBOX_LATENCY_MS="0",
        SANDBOX_JITTER_MS="0",
        SANDBOX_ERROR_RATE="0",
        SANDBOX_HANG_RATE="0",
        SANDBOX_MALFORMED_RATE="0",
    )
    sandbox_url = f"http://{HOST}:{sandbox_port}"
    sandbox = procs.start("sandbox", [sys.executable, "-m", "sandbox"], sandbox_env)
    wait_until_ok(f"{sandbox_url}/_sandbox/customers", sandbox, "the sandbox")
    chosen = choose_customers(sandbox_url)
    results["sets"] = chosen
    big, small = chosen["big"], chosen["small"]
    say(
        f"big set:   customer {big['customerNo']} subscription {big['subscriptionNo']} "
        f"({big['recordCount']} unbilled records)\n"
        f"small set: customer {small['customerNo']} subscription {small['subscriptionNo']} "
        f"({small['recordCount']} unbilled records, the closest to 500 in the sandbox)",
    )

    # The BFF's environment: production server, DEBUG off, a database and key prefix
    # of this run's own.
    bff_port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND=redis_url,
        CACHE_KEY_PREFIX=prefix,
        SANDBOX_PORT=str(sandbox_port),
        PAYEX_BASE_URL=sandbox_url,
        PAYEX_OWNER_NO=OWNER_NO,
        PAYEX_TOKEN=SANDBOX_TOKEN,
        PAYEX_SANDBOX="true",
        JWT_ACCESS_MINUTES="60",
        LOG_LEVEL="WARNING",
        BENCHMARK_VIEWS="true",
    )
    setup_django(env)
    state["django"] = True
    password = secrets.token_urlsafe(16)
    make_owner("bench-big", password, big)
    make_owner("bench-small", password, small)

    bff = f"http://{HOST}:{bff_port}"
    server = procs.start(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{bff_port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        env,
    )
    wait_until_ok(f"{bff}/healthz", server, "the BFF under gunicorn")
    workers = worker_pids(server.pid)
    results["server"] = {"workers": len(workers), "threads": args.threads}

    big_session = login(bff, "bench-big", password)
    small_session = login(bff, "bench-small", password)
    memory = {"after start and login": {pid: memory_kib(pid) for pid in workers}}

    big_url = records_url(bff, big)
    small_url = records_url(bff, small)
    plain = {"page_size": PAGE_SIZE}
    filtered = {"page_size": PAGE_SIZE, "usage_type": "data", "sort": "-amount"}

    # Cold loads, then the first request of each filtered view (which computes and keeps it).
    with RssSampler(workers) as cold_sampler:
        big_cold, big_body = timed_get(big_session, big_url, plain)
        small_cold, small_body = timed_get(small_session, small_url, plain)
        big_view, big_filtered = timed_get(big_session, big_url, filtered)
        small_view, small_filtered = timed_get(small_session, small_url, filtered)
    memory["after the cold loads"] = {pid: memory_kib(pid) for pid in workers}
    results["first_requests_ms"] = {
        "big cold load": big_cold * 1000,
        "small cold load": small_cold * 1000,
        "big filtered view computed": big_view * 1000,
        "small filtered view computed": small_view * 1000,
    }
    results["counts"] = {
        "big": big_body["count"],
        "small": small_body["count"],
        "big filtered": big_filtered["count"],
        "small filtered": small_filtered["count"],
    }
    # The same page numbers for both sets: as many pages as the smaller view has, up to 10.
    pages = {
        "plain": max(1, min(10, -(-small_body["count"] // PAGE_SIZE))),
        "filtered": max(1, min(10, -(-small_filtered["count"] // PAGE_SIZE))),
    }
    # Warm every page used below once, on every worker, so each timed request is warm.
    for kind, params in (("plain", plain), ("filtered", filtered)):
        for page in range(1, pages[kind] + 1):
            for session, url in ((big_session, big_url), (small_session, small_url)):
                for _ in range(2):
                    timed_get(session, url, {**params, "page": page})

    series = {
        ("plain", "big"): (big_session, big_url, plain),
        ("plain", "small"): (small_session, small_url, plain),
        ("filtered", "big"): (big_session, big_url, filtered),
        ("filtered", "small"): (small_session, small_url, filtered),
    }
    samples: dict[tuple, list[float]] = {name: [] for name in series}
    not_cached = 0
    order = list(series)
    rng = random.Random(6)  # noqa: S311 - a fixed shuffle, not a secret
    with RssSampler(workers) as warm_sampler:
        for index in range(args.requests):
            rng.shuffle(order)
            for name in order:
                session, url, params = series[name]
                page = 1 + index % pages[name[0]]
                elapsed, body = timed_get(session, url, {**params, "page": page})
                samples[name].append(elapsed)
                not_cached += body["meta"]["source"] != "cache"
    memory["after the warm pages"] = {pid: memory_kib(pid) for pid in workers}
    stats = {f"{kind} {size}": summarise(values) for (kind, size), values in samples.items()}
    results["warm"] = stats
    results["warm_not_from_cache"] = not_cached
    results["ratios"] = {
        kind: {
            "median": stats[f"{kind} big"]["median_ms"] / stats[f"{kind} small"]["median_ms"],
            "p95": stats[f"{kind} big"]["p95_ms"] / stats[f"{kind} small"]["p95_ms"],
        }
        for kind in ("plain", "filtered")
    }

    # The store alone, in this process: the same reads without HTTP, Django or auth.
    results["store_only"] = store_only(big, small, pages, args.requests)

    # Cold concurrency: make every cached read of the big customer cold, then N at once.
    from billing_bff import caching

    caching.invalidate_customer(ledger_no=OWNER_NO, customer_no=big["customerNo"])
    requests.post(f"{sandbox_url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    token = big_session.headers["Authorization"]
    barrier = threading.Barrier(args.concurrency)

    def cold_request(_: int) -> tuple[int, float, str]:
        with requests.Session() as session:
            session.headers["Authorization"] = token
            barrier.wait(timeout=30)
            started = time.perf_counter()
            response = session.get(big_url, params=plain, timeout=60)
            source = response.json().get("meta", {}).get("source", "-") if response.ok else "-"
            return response.status_code, time.perf_counter() - started, source

    with (
        RssSampler(workers) as concurrent_sampler,
        ThreadPoolExecutor(max_workers=args.concurrency) as pool,
    ):
        answers = list(pool.map(cold_request, range(args.concurrency)))
    memory["after the concurrent cold requests"] = {pid: memory_kib(pid) for pid in workers}
    upstream = requests.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()
    statuses: dict[str, int] = {}
    sources: dict[str, int] = {}
    for status, _, source in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        sources[source] = sources.get(source, 0) + 1
    results["cold_concurrency"] = {
        "requests": args.concurrency,
        "upstream_calls_records": upstream["routes"].get(RECORDS_ROUTE, 0),
        "upstream_calls_total": upstream["total"],
        "statuses": statuses,
        "sources": sources,
        "slowest_ms": max(elapsed for _, elapsed, _ in answers) * 1000,
        "median_ms": statistics.median(elapsed for _, elapsed, _ in answers) * 1000,
    }
    # The overview: cold against one upstream call, then warm against a bare Django view.
    results["overview_cold"] = overview_cold(
        small_session, bff, sandbox_url, small["customerNo"], rounds=args.overview_rounds
    )
    results["overview_rps"] = overview_rps(
        small_session, bff, small["customerNo"], clients=args.rps_clients, seconds=args.rps_seconds
    )
    results["memory_kib"] = {
        phase: {str(pid): values for pid, values in by_pid.items()}
        for phase, by_pid in memory.items()
    }
    results["sampled_peak_rss_kib"] = {
        "cold loads": {str(k): v for k, v in cold_sampler.peak.items()},
        "warm pages": {str(k): v for k, v in warm_sampler.peak.items()},
        "concurrent cold requests": {str(k): v for k, v in concurrent_sampler.peak.items()},
    }
    return results


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


def store_only(big: dict, small: dict, pages: dict, n: int) -> dict:
    """Median time of usage.selectors.usage_page in this process, big ÷ small."""
    from usage import selectors, store
    from usage.tasks import system_access

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


def report(results: dict) -> None:
    sets, warm, ratios = results["sets"], results["warm"], results["ratios"]
    big, small = sets["big"], sets["small"]
    say()
    say(
        "Machine: {cpu}, {cpus} CPUs, {memory}, Linux {kernel}, Python {python}".format(
            **results["machine"]
        )
    )
    say(
        f"Server: gunicorn, {results['server']['workers']} workers x "
        f"{results['server']['threads']} threads (gthread), DEBUG=false"
    )
    say(
        f"Big set:   {big['customerNo']}/{big['subscriptionNo']}: "
        f"{results['counts']['big']} records"
    )
    say(
        f"Small set: {small['customerNo']}/{small['subscriptionNo']}: "
        f"{results['counts']['small']} records"
    )
    say()
    head = f"{'':34}{'big set':>18}{'small set':>18}{'big ÷ small':>13}{'target':>9}"
    say(head)
    say("-" * len(head))
    for number, kind, label in (
        (1, "plain", "50-record page"),
        (2, "filtered", "filtered + sorted page"),
    ):
        for stat in ("median", "p95"):
            b, s = warm[f"{kind} big"][f"{stat}_ms"], warm[f"{kind} small"][f"{stat}_ms"]
            title = f"({number}) {label}, {stat}" if stat == "median" else f"    {stat}"
            ratio = ratios[kind][stat]
            verdict = "≤ 1.5 " + ("met" if ratio <= TARGET_RATIO else "MISSED")
            say(f"{title:34}{b:>15.2f} ms{s:>15.2f} ms{ratio:>13.2f}{verdict:>16}")
    say(
        f"{'    (filtered view sizes)':34}{results['counts']['big filtered']:>18}"
        f"{results['counts']['small filtered']:>18}"
    )
    say(
        f"    {results['requests']} requests per series, interleaved; "
        f"not from cache: {results['warm_not_from_cache']}"
    )
    store = results["store_only"]
    say(
        "    store alone (usage_page in-process, median): "
        f"plain {store['median_ms']['plain big']:.2f} / {store['median_ms']['plain small']:.2f} ms "
        f"= {store['ratio']['plain']:.2f}; filtered {store['median_ms']['filtered big']:.2f} / "
        f"{store['median_ms']['filtered small']:.2f} ms = {store['ratio']['filtered']:.2f}"
    )
    first = results["first_requests_ms"]
    say(
        f"    first requests: big cold load {first['big cold load']:.0f} ms, small cold load "
        f"{first['small cold load']:.0f} ms; filtered view computed: big "
        f"{first['big filtered view computed']:.0f} ms, "
        f"small {first['small filtered view computed']:.0f} ms"
    )
    cold = results["cold_concurrency"]
    verdict = "met" if cold["upstream_calls_records"] == 1 else "MISSED"
    say()
    say(
        f"(3) {cold['requests']} concurrent cold requests for the big set: "
        f"{cold['upstream_calls_records']} upstream call(s) for its records "
        f"({cold['upstream_calls_total']} in all); target 1: {verdict}"
    )
    say(
        f"    statuses {cold['statuses']}, served from {cold['sources']}, "
        f"median {cold['median_ms']:.0f} ms, slowest {cold['slowest_ms']:.0f} ms"
    )
    say()
    say("(4) memory of the web workers (MiB): RSS now / peak (VmHWM) after each phase")
    for phase, by_pid in results["memory_kib"].items():
        cells = ", ".join(
            f"pid {pid}: {v['VmRSS'] / 1024:.0f} / {v['VmHWM'] / 1024:.0f}"
            for pid, v in by_pid.items()
        )
        say(f"    {phase:38}{cells}")
    for phase, by_pid in results["sampled_peak_rss_kib"].items():
        cells = ", ".join(f"pid {pid}: {v / 1024:.0f}" for pid, v in by_pid.items())
        say(f"    sampled peak RSS, {phase + ':':26}{cells}")
    say()
    cold = results["overview_cold"]
    ratio = cold["ratio"]["median"]
    verdict = "met" if ratio < TARGET_COLD_OVERVIEW else "MISSED"
    say(
        f"(5) cold overview ÷ cold profile, the sandbox adding {cold['latency_ms']} ms to every "
        f"call: {cold['overview']['median_ms']:.0f} / {cold['profile']['median_ms']:.0f} ms "
        f"= {ratio:.2f} at the median; target < {TARGET_COLD_OVERVIEW:g}: {verdict}"
    )
    say(
        f"    p95 {cold['overview']['p95_ms']:.0f} / {cold['profile']['p95_ms']:.0f} ms = "
        f"{cold['ratio']['p95']:.2f}; {cold['rounds']} rounds, interleaved; upstream calls per "
        f"request: overview {cold['upstream_calls']['overview']}, profile "
        f"{cold['upstream_calls']['profile']}; not from upstream: {cold['not_from_upstream']}"
    )
    say(
        f"    one upstream call straight to the sandbox (no BFF): median "
        f"{cold['direct_upstream']['median_ms']:.0f} ms"
    )
    rps = results["overview_rps"]
    verdict = "met" if rps["ratio"] >= TARGET_OVERVIEW_RPS else "MISSED"
    say()
    say(
        f"(6) warm overview ÷ bare Django JSON view, requests per second: "
        f"{rps['rps']['overview']:.0f} / {rps['rps']['bare']:.0f} = {rps['ratio']:.2f}; "
        f"target ≥ {TARGET_OVERVIEW_RPS:g}: {verdict}"
    )
    say(
        f"    authenticated GET /api/v1/me: {rps['rps']['me']:.0f} per second; overview ÷ me "
        f"= {rps['rps']['overview'] / rps['rps']['me']:.2f}, me ÷ bare "
        f"= {rps['rps']['me'] / rps['rps']['bare']:.2f}"
    )
    for name in ("bare", "me", "overview"):
        t = rps["totals"][name]
        say(
            f"    {name:9}{t['ok']:>7} answers in {t['seconds']:.1f} s, failed {t['failed']}, "
            f"not from cache {t['not_cached']}, client CPU {t['client_cpu_seconds']:.1f} s"
        )
    say(
        f"    {rps['clients']} keep-alive clients, {rps['windows_each']} windows of "
        f"{rps['window_seconds']:g} s each, alternating"
    )
    say()


def _interrupt(signum, frame) -> None:
    # SIGTERM ends the run as Ctrl-C does: through main's finally, which stops everything.
    raise KeyboardInterrupt()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per timed series")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent cold requests")
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    parser.add_argument(
        "--overview-rounds", type=int, default=20, help="cold overview and profile pairs"
    )
    parser.add_argument("--rps-clients", type=int, default=16, help="clients for (6)")
    parser.add_argument("--rps-seconds", type=float, default=5.0, help="one window of (6)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10_000 or not 1 <= args.concurrency <= 500:
        parser.error("--requests must be 1..10000 and --concurrency 1..500")

    signal.signal(signal.SIGTERM, _interrupt)
    state = {"prefix": f"bench-{secrets.token_hex(4)}", "django": False}
    with tempfile.TemporaryDirectory(prefix="bff-benchmark-") as tmp:
        work = Path(tmp)
        procs = Processes(work)
        try:
            results = run(args, procs, work, state)
        except KeyboardInterrupt:
            say("\ninterrupted: stopping what this run started", err=True)
            return 130
        except SystemExit as exc:
            say(f"benchmark failed: {exc}", err=True)
            for name, _ in procs.started:
                say(f"--- {name} log (tail) ---\n{procs.log_tail(name)}", err=True)
            return 1
        finally:
            procs.stop_all()
            if state["django"]:
                removed = cleanup_redis(state["prefix"])
                say(f"removed {removed} Redis keys under {state['prefix']}:*", err=True)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
