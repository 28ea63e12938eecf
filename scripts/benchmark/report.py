"""The machine a run was on, and the figures as printed at the end of a run."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from . import goals
from .common import say

TARGET_RATIO = 1.5  # issue 6's target for the sequential big ÷ small pages
TARGET_COLD_OVERVIEW = 2.0  # issue 7's target for the cold overview ÷ one upstream call


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


def report(results: dict) -> None:
    say()
    _setup(results)
    say()
    _windows(results)
    say()
    _goals_2_to_4(results)
    say()
    _kept(results)
    say()
    _summary(results["summary"])


def _setup(results: dict) -> None:
    big, small = results["sets"]["big"], results["sets"]["small"]
    server, options = results["server"], results["options"]
    say(
        "Machine: {cpu}, {cpus} CPUs, {memory}, Linux {kernel}, Python {python}".format(
            **results["machine"]
        )
    )
    say(
        f"Load generator: {results['wrk']}; {options['connections']} connections, "
        f"windows of {options['window_seconds']} s, {options['rounds']} rounds, routes "
        "round-robin (order rotated each round)"
    )
    say(
        f"Server: gunicorn, {server['workers']} workers x {server['threads']} threads (gthread), "
        f"DEBUG=false, {server['settings']} (config.settings.local + bench/json), "
        f"LOG_LEVEL={server['log_level']}, --reuse-port, fresh windows >= "
        f"{server['fresh_seconds']} s; "
        f"{server['cores']} cores shared by the server, wrk, Redis, the sandbox and this script"
    )
    say(
        f"Big set:   {big['customerNo']}/{big['subscriptionNo']}: "
        f"{results['counts']['big']} records"
    )
    say(
        f"Small set: {small['customerNo']}/{small['subscriptionNo']}: "
        f"{results['counts']['small']} records"
    )


def _windows(results: dict) -> None:
    windows, figures, cores = results["windows"], results["figures"], results["server"]["cores"]
    bare = goals.median_rps(windows["bare"])
    say("Goals 1, 2, 5: warm routes driven by wrk (median of the windows per route)")
    head = f"  {'route':12}{'req/s':>9}{'÷ bare':>9}{'p50 ms':>9}{'wrk CPU/s':>11}  what"
    say(head)
    for name, what in results["routes"].items():
        mine = windows[name]
        rps = goals.median_rps(mine)
        cpu = max(w["cpu_per_second"] for w in mine)
        say(
            f"  {name:12}{rps:>9.0f}{rps / bare:>9.2f}{goals.median_latency(mine):>9.2f}"
            f"{cpu:>11.2f}  {what}"
        )
    say(
        f"  every window (wrk CPU/s = wrk's CPU seconds per second of window; share = that ÷ "
        f"{cores} server cores, a measurement only when ≤ {goals.CLIENT_SHARE}):"
    )
    say(
        f"  {'round':>5} {'route':12}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'CPU/s':>7}"
        f"{'share':>7}{'non-2xx':>8}{'sock err':>9}{'upstream':>9}{'log B':>7}"
        f"{'server':>7}{'(per worker)':>13}{'conns':>6}{'redis':>6}{'others':>7}  valid"
    )
    every = sorted(
        (w for group in windows.values() for w in group), key=lambda w: (w["round"], w["url"])
    )
    by_round: dict[int, list[dict]] = {}
    for w in every:
        by_round.setdefault(w["round"], []).append(w)
    for group in by_round.values():
        for w in group:
            latency = w["latency_ms"]
            say(
                f"  {w['round']:>5} {w['route']:12}{w['rps']:>8.0f}{latency.get('50', 0):>8.2f}"
                f"{latency.get('99', 0):>8.2f}{w['cpu_per_second']:>7.2f}"
                f"{w['cpu_per_second'] / cores:>7.2f}{w['non_2xx']:>8}{w['socket_errors']:>9}"
                f"{w['upstream_calls']:>9}{w['server_log_bytes']:>7}"
                f"{w['cpu_per_second_by']['server']:>7.2f}{_per_worker(w):>13}"
                f"{'/'.join(str(n) for n in w['connections_by_worker']):>6}"
                f"{w['cpu_per_second_by']['redis']:>6.2f}"
                f"{w['cpu_per_second_by']['others']:>7.2f}  "
                + ("yes" if not w["problems"] else "NO: " + "; ".join(w["problems"]))
                + (f" (attempt {w['attempt']})" if w["attempt"] > 1 else "")
            )
    others = [w["cpu_per_second_by"]["others"] for w in every]
    server_cpu = [w["cpu_per_second_by"]["server"] for w in every]
    say(
        "  server / redis / others: CPU seconds per second of window of gunicorn (master and "
        "workers), of Redis, and of every other process on the machine (not this run's)"
    )
    say(
        f"  others used {sum(others) / len(others):.2f} CPU/s on average (max {max(others):.2f}) "
        f"of {cores} cores: "
        + ("the machine was shared during the windows" if max(others) > 0.1 else "quiet")
        + f"; the server used {min(server_cpu):.2f}-{max(server_cpu):.2f} CPU/s"
    )
    probes = results["probes_after_windows"]
    say(
        "  after the windows, one request each: "
        + ", ".join(
            f"{name} {p['status']}"
            + (f" ({p['source']}{', stale' if p.get('stale') else ''})" if "source" in p else "")
            for name, p in probes.items()
        )
    )
    big, small = windows["usage"], windows["usage_small"]
    big_ms, small_ms = goals.median_latency(big), goals.median_latency(small)
    big_rps, small_rps = goals.median_rps(big), goals.median_rps(small)
    say(
        f"  goal 2, time = wrk's median latency (50%), medians of the windows: big "
        f"{big_ms:.2f} ms ÷ small {small_ms:.2f} ms = {figures['big_small']['figure']:.2f} "
        f"(from req/s inverted: {small_rps:.0f} ÷ {big_rps:.0f} = {small_rps / big_rps:.2f})"
    )
    total = sum(len(group) for group in windows.values())
    worst = max(w["non_2xx"] + w["socket_errors"] for group in windows.values() for w in group)
    say(
        f"  goal 5: {figures['non_2xx']['figure']:.0f} non-2xx answers or socket errors in "
        f"{total} windows (worst window: {worst}); target 0 in every window: "
        f"{'met' if worst == 0 else 'missed'}"
    )


def _per_worker(window: dict) -> str:
    by = window["cpu_per_second_by"]
    return "/".join(f"{v:.2f}" for k, v in by.items() if k.startswith("server worker "))


def _goals_2_to_4(results: dict) -> None:
    redis_set = results["redis_set"]
    other = redis_set["other_keys_of_subscription"]
    say(
        f"Goal 3: Redis, MEMORY USAGE (SAMPLES 0) of every key containing the set key "
        f"{redis_set['set_key']}: {redis_set['keys']} keys, {redis_set['bytes']:,} bytes for "
        f"{redis_set['records']:,} records = {redis_set['bytes_per_record']:.1f} bytes a record"
    )
    say(
        f"  measured after the cold loads of goal 4, before any filtered view of the set; "
        f"other keys naming the customer and subscription (summary, older generations), "
        f"not counted: {other['keys']} keys, {other['bytes']:,} bytes"
    )
    cold = results["cold_load"]
    say(
        f"Goal 4: cold first page of the big set through the BFF ÷ fetching the same upstream "
        f"body and parsing it with {cold['parser']} (here), medians of {cold['rounds']} "
        f"alternating rounds: {cold['median_ms']['bff']:.0f} / "
        f"{cold['median_ms']['upstream']:.0f} ms = {cold['ratio']:.2f}"
    )
    say(
        "  rounds: BFF "
        + ", ".join(f"{t:.0f}" for t in cold["bff_ms"])
        + " ms; upstream + parse "
        + ", ".join(f"{t:.0f}" for t in cold["upstream_ms"])
        + f" ms ({cold['parsed_records']:,} records); upstream record calls per cold load "
        f"{cold['upstream_records_calls']} (1 each: truly cold)"
    )
    say(
        "  web workers' peak RSS above rest during the cold loads: "
        + ", ".join(
            f"pid {pid}: {mib:.0f} MiB (rest {cold['rest_rss_kib'][pid] / 1024:.0f} MiB)"
            for pid, mib in cold["peak_rss_above_rest_mib"].items()
        )
    )


def _kept(results: dict) -> None:
    say("Other figures (not goals of issue 12)")
    warm, ratios = results["warm"], results["ratios"]
    say(
        f"  sequential warm pages, one request at a time from this script, "
        f"{results['requests']} each, interleaved (issue 6: big ÷ small ≤ {TARGET_RATIO:g}):"
    )
    for kind, label in (("plain", "50-record page"), ("filtered", "filtered + sorted page")):
        b, s_ = warm[f"{kind} big"], warm[f"{kind} small"]
        say(
            f"    {label:24} median {b['median_ms']:.2f} / {s_['median_ms']:.2f} ms = "
            f"{ratios[kind]['median']:.2f}; p95 {b['p95_ms']:.2f} / {s_['p95_ms']:.2f} ms = "
            f"{ratios[kind]['p95']:.2f}"
        )
    say(
        f"    filtered view sizes {results['counts']['big filtered']} / "
        f"{results['counts']['small filtered']}; not from cache: {results['warm_not_from_cache']}"
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
        f"    first requests: small cold load {first['small cold load']:.0f} ms; filtered view "
        f"computed: big {first['big filtered view computed']:.0f} ms, "
        f"small {first['small filtered view computed']:.0f} ms"
    )
    cold = results["cold_concurrency"]
    verdict = "met" if cold["upstream_calls_records"] == 1 else "missed"
    say(
        f"  {cold['requests']} concurrent cold requests for the big set: "
        f"{cold['upstream_calls_records']} upstream call(s) for its records "
        f"({cold['upstream_calls_total']} in all); target 1: {verdict}"
    )
    say(
        f"    statuses {cold['statuses']}, served from {cold['sources']}, "
        f"median {cold['median_ms']:.0f} ms, slowest {cold['slowest_ms']:.0f} ms"
    )
    ov = results["overview_cold"]
    ratio = ov["ratio"]["median"]
    say(
        f"  cold overview ÷ cold profile, the sandbox adding {ov['latency_ms']} ms to every "
        f"call: {ov['overview']['median_ms']:.0f} / {ov['profile']['median_ms']:.0f} ms "
        f"= {ratio:.2f} at the median; target < {TARGET_COLD_OVERVIEW:g}: "
        f"{'met' if ratio < TARGET_COLD_OVERVIEW else 'missed'}"
    )
    say(
        f"    {ov['rounds']} rounds; upstream calls per request: overview "
        f"{ov['upstream_calls']['overview']}, profile {ov['upstream_calls']['profile']}; "
        f"one upstream call straight to the sandbox: {ov['direct_upstream']['median_ms']:.0f} ms"
    )
    say("  memory of the web workers (MiB): RSS now / peak (VmHWM) after each phase")
    for phase, by_pid in results["memory_kib"].items():
        cells = ", ".join(
            f"pid {pid}: {v['VmRSS'] / 1024:.0f} / {v['VmHWM'] / 1024:.0f}"
            for pid, v in by_pid.items()
        )
        say(f"    {phase:38}{cells}")
    for phase, by_pid in results["sampled_peak_rss_kib"].items():
        cells = ", ".join(f"pid {pid}: {v / 1024:.0f}" for pid, v in by_pid.items())
        say(f"    sampled peak RSS, {phase + ':':26}{cells}")


def _summary(rows: list[dict]) -> None:
    say("Summary: issue 12's goals, this run")
    head = f"  {'goal':<5}{'what':<74}{'figure':>10}{'target':>10}  verdict"
    say(head)
    say("  " + "-" * (len(head) - 2))
    for row in rows:
        say(
            f"  {row['goal']:<5}{row['what']:<74}{row['figure_text']:>10}{row['target']:>10}  "
            f"{row['verdict']}"
        )
