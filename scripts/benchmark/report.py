"""The machine a run was on, and the figures as printed at the end of a run."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from .common import say

TARGET_RATIO = 1.5
TARGET_COLD_OVERVIEW = 2.0
TARGET_OVERVIEW_RPS = 0.5


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
