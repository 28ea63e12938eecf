"""One run: the sandbox, the data, the BFF under gunicorn, then every measurement in turn."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from . import cold, data, overview, pages
from .common import HOST, OWNER_NO, SANDBOX_TOKEN, say
from .memory import RssSampler, memory_of, worker_pids
from .processes import Processes, free_port, start_bff, start_sandbox
from .report import machine


def bff_environment(work: Path, prefix: str, sandbox_port: int, sandbox_url: str) -> dict:
    """The BFF's environment: DEBUG off, a database and a Redis key prefix of this run's own."""
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="scripts.benchmark.settings",
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
    )
    return env


def run(args: argparse.Namespace, procs: Processes, work: Path, state: dict) -> dict:
    results: dict = {"machine": machine(), "requests": args.requests}

    sandbox_port, sandbox_url = start_sandbox(procs)
    chosen = data.choose_customers(sandbox_url)
    results["sets"] = chosen
    big, small = chosen["big"], chosen["small"]
    say(
        f"big set:   customer {big['customerNo']} subscription {big['subscriptionNo']} "
        f"({big['recordCount']} unbilled records)\n"
        f"small set: customer {small['customerNo']} subscription {small['subscriptionNo']} "
        f"({small['recordCount']} unbilled records, the closest to 500 in the sandbox)",
    )

    bff_port = free_port()
    env = bff_environment(work, state["prefix"], sandbox_port, sandbox_url)
    data.setup_django(env)
    state["django"] = True
    password = secrets.token_urlsafe(16)
    data.make_owner("bench-big", password, big)
    data.make_owner("bench-small", password, small)

    bff = f"http://{HOST}:{bff_port}"
    server = start_bff(procs, env, bff_port, args.threads)
    workers = worker_pids(server.pid)
    results["server"] = {"workers": len(workers), "threads": args.threads}

    big_session = data.login(bff, "bench-big", password)
    small_session = data.login(bff, "bench-small", password)
    memory = {"after start and login": memory_of(workers)}
    big_url = data.records_url(bff, big)
    sets = {"big": (big_session, big_url), "small": (small_session, data.records_url(bff, small))}

    # (1), (2): cold loads and the filtered views' first requests, then the warm series.
    with RssSampler(workers) as cold_sampler:
        results["first_requests_ms"], results["counts"] = pages.first_requests(sets)
    memory["after the cold loads"] = memory_of(workers)
    used = pages.pages_used(results["counts"])
    pages.warm_up(sets, used)
    with RssSampler(workers) as warm_sampler:
        samples, not_cached = pages.warm_series(sets, used, args.requests)
    memory["after the warm pages"] = memory_of(workers)
    results.update(pages.summary(samples, not_cached))

    # The store alone, in this process: the same reads without HTTP, Django or auth.
    results["store_only"] = pages.store_only(big, small, used, args.requests)

    # (3) Cold concurrency: make every cached read of the big customer cold, then N at once.
    cold.make_cold(sandbox_url, big["customerNo"])
    with RssSampler(workers) as concurrent_sampler:
        answers = cold.concurrent_requests(big_session, big_url, pages.PLAIN, args.concurrency)
    memory["after the concurrent cold requests"] = memory_of(workers)
    results["cold_concurrency"] = cold.summary(answers, sandbox_url)

    # (5), (6) The overview: cold against one upstream call, then warm against a bare view.
    results["overview_cold"] = overview.overview_cold(
        small_session, bff, sandbox_url, small["customerNo"], rounds=args.overview_rounds
    )
    results["overview_rps"] = overview.overview_rps(
        small_session, bff, small["customerNo"], clients=args.rps_clients, seconds=args.rps_seconds
    )

    # (4) Memory of the web workers, after each phase and sampled during three of them.
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
