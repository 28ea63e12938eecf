"""One run: the sandbox, the data, the BFF under gunicorn, then every measurement in turn."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from . import cold, data, goals, overview, pages, throughput, wrk
from .common import HOST, OWNER_NO, SANDBOX_TOKEN, say
from .cpu import CpuMeter
from .memory import RssSampler, memory_of, redis_pids, redis_set_bytes, worker_pids
from .processes import Processes, free_port, start_bff, start_sandbox
from .report import machine

# A warm route must be fresh for the whole run, whatever its length: every kind's fresh
# window at least an hour (the defaults of customer, subscriptions, recurring products and
# unbilled usage are 2-10 minutes, shorter than a run with many rounds).
FRESH_SECONDS = 3600
FRESH_KINDS = ("customer", "subscriptions", "recurring-products", "unbilled-usage")


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
    for kind in FRESH_KINDS:
        env[f"CACHE_{kind.upper().replace('-', '_')}_FRESH_SECONDS"] = str(FRESH_SECONDS)
    return env


def run(args: argparse.Namespace, procs: Processes, work: Path, state: dict) -> dict:
    server_cores = len(os.sched_getaffinity(0))
    results: dict = {
        "machine": machine(),
        "wrk": wrk.version(),
        "requests": args.requests,
        "options": {
            "window_seconds": args.window_seconds,
            "rounds": args.rounds,
            "connections": args.connections,
            "cold_rounds": args.cold_rounds,
        },
    }

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
    results["server"] = {
        "workers": len(workers),
        "threads": args.threads,
        "cores": server_cores,
        "settings": env["DJANGO_SETTINGS_MODULE"],
        "log_level": env["LOG_LEVEL"],
        "fresh_seconds": FRESH_SECONDS,
        "reuse_port": True,
    }

    big_session = data.login(bff, "bench-big", password)
    small_session = data.login(bff, "bench-small", password)
    browser = data.browser_login(bff, "bench-small", password)
    tokens = {
        "big": big_session.headers["Authorization"].split()[1],
        "small": small_session.headers["Authorization"].split()[1],
    }
    routes = throughput.targets(bff, sets=chosen, tokens=tokens, cookie=data.cookie_header(browser))
    # Every light route on both workers (a new connection each time), so that a worker's
    # resting size below includes its imports; the big set is not loaded yet.
    for name, (url, headers) in routes.items():
        if name != "usage":
            for _ in range(6):
                throughput.probe(url, headers)
    memory = {"at rest (light routes served)": memory_of(workers)}
    big_url = data.records_url(bff, big)

    say("goal 4: cold first page of the big set against the upstream's fetch and parse")
    results["cold_load"] = cold.cold_against_upstream(
        big_session,
        big_url,
        pages.PLAIN,
        sandbox_url=sandbox_url,
        chosen=big,
        workers=workers,
        rounds=args.cold_rounds,
    )
    memory["after the cold loads of goal 4"] = memory_of(workers)

    # Goal 3, before any filtered view of the set exists: the set as its cold load left it.
    results["redis_set"] = redis_set_bytes(state["prefix"], big, OWNER_NO)

    say("sequential warm pages (latency, one request at a time)")
    sets = {"big": (big_session, big_url), "small": (small_session, data.records_url(bff, small))}
    results["first_requests_ms"], results["counts"] = pages.first_requests(sets)
    used = pages.pages_used(results["counts"])
    pages.warm_up(sets, used)
    with RssSampler(workers) as warm_sampler:
        samples, not_cached = pages.warm_series(sets, used, args.requests)
    memory["after the sequential warm pages"] = memory_of(workers)
    results.update(pages.summary(samples, not_cached))
    results["store_only"] = pages.store_only(big, small, used, args.requests)

    say("cold concurrency and the cold overview")
    cold.make_cold(sandbox_url, big["customerNo"])
    with RssSampler(workers) as concurrent_sampler:
        answers = cold.concurrent_requests(big_session, big_url, pages.PLAIN, args.concurrency)
    memory["after the concurrent cold requests"] = memory_of(workers)
    results["cold_concurrency"] = cold.summary(answers, sandbox_url)
    results["overview_cold"] = overview.overview_cold(
        small_session, bff, sandbox_url, small["customerNo"], rounds=args.overview_rounds
    )

    say(
        f"goals 1, 2, 5: wrk, {len(routes)} routes x {args.rounds} rounds of "
        f"{args.window_seconds} s windows"
    )
    results["warm_probes"] = throughput.warm_up(routes, connections=args.connections)
    meter = CpuMeter(
        {
            "server master": [server.pid],
            **{f"server worker {pid}": [pid] for pid in workers},
            "redis": redis_pids(),
            "sandbox": [procs.pid_of("sandbox")],
            "script": [os.getpid()],
        }
    )
    with RssSampler(workers) as wrk_sampler:
        windows = throughput.windows(
            routes,
            sandbox_url=sandbox_url,
            server_log=procs.logs / "gunicorn.log",
            seconds=args.window_seconds,
            rounds=args.rounds,
            connections=args.connections,
            server_cores=server_cores,
            cpu=meter,
            server_port=bff_port,
            workers=workers,
        )
    memory["after the wrk windows"] = memory_of(workers)
    results["probes_after_windows"] = {
        name: throughput.probe(url, headers) for name, (url, headers) in routes.items()
    }
    results["routes"] = {name: throughput.ROUTES[name] for name in routes}
    results["windows"] = windows

    figures = goals.throughput_figures(windows)
    redis_set = results["redis_set"]
    figures["redis"] = {"figure": redis_set["bytes_per_record"], "measured": redis_set["keys"] > 0}
    loaded = results["cold_load"]
    truly_cold = all(n == 1 for n in loaded["upstream_records_calls"])
    figures["cold"] = {"figure": loaded["ratio"], "measured": truly_cold}
    figures["cold_rss"] = {"figure": loaded["peak_rss_above_rest_max_mib"], "measured": truly_cold}
    results["figures"] = figures
    results["summary"] = goals.summary_rows(figures)

    results["memory_kib"] = {
        phase: {str(pid): values for pid, values in by_pid.items()}
        for phase, by_pid in memory.items()
    }
    results["sampled_peak_rss_kib"] = {
        "sequential warm pages": {str(k): v for k, v in warm_sampler.peak.items()},
        "concurrent cold requests": {str(k): v for k, v in concurrent_sampler.peak.items()},
        "wrk windows": {str(k): v for k, v in wrk_sampler.peak.items()},
    }
    return results
