"""Issue 12's goals: their targets, when a window is a measurement, and the verdicts.

Pure (no I/O, no Django): the run hands it figures and windows, the report prints what it
returns, and tests/test_benchmark_goals.py checks the rules.

A wrk window is a measurement only when all of these hold:
- the client did not measure itself: wrk used at most CLIENT_SHARE (half) of a core per
  server core, i.e. wrk's CPU seconds per second of window ÷ the server's cores ≤ 0.5;
- every answer was 2xx and none was lost (no non-2xx, no socket error);
- the route was warm: the sandbox counted no upstream call during the window;
- every web worker held at least a quarter of wrk's connections (2 of 8 with 2 workers):
  a worker holding fewer leaves its core idle, and the window measures one worker.
A figure built from any window that is not a measurement is "not measured", never "met".
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

MET, MISSED, NOT_MEASURED = "met", "missed", "not measured"
CLIENT_SHARE = 0.5  # the most CPU wrk may use, in cores per server core
UNBALANCED = "unbalanced"


def window_problems(
    *,
    cpu_per_second: float,
    server_cores: int,
    non_2xx: int,
    socket_errors: int,
    upstream_calls: int,
    connections_by_worker: list[int] | None = None,
) -> list[str]:
    """Why a window is not a measurement; empty when it is one."""
    problems = []
    if connections_by_worker:
        held = sum(connections_by_worker)
        least = max(1, held // (2 * len(connections_by_worker)))
        if min(connections_by_worker) < least:
            spread = "/".join(str(n) for n in connections_by_worker)
            problems.append(f"{UNBALANCED}: {spread} connections by worker")
    share = cpu_per_second / server_cores
    if share > CLIENT_SHARE:
        problems.append(f"client saturated: wrk {share:.2f} core per server core > {CLIENT_SHARE}")
    if non_2xx:
        problems.append(f"{non_2xx} non-2xx answers")
    if socket_errors:
        problems.append(f"{socket_errors} socket errors")
    if upstream_calls:
        problems.append(f"not warm: {upstream_calls} upstream calls")
    return problems


@dataclass(frozen=True)
class Goal:
    number: int
    what: str
    target: float
    at_least: bool  # the figure must be ≥ the target (else ≤)
    unit: str = ""
    digits: int = 2

    def verdict(self, figure: float | None, *, measured: bool = True) -> str:
        if figure is None or not measured or math.isnan(figure):
            return NOT_MEASURED
        ok = figure >= self.target if self.at_least else figure <= self.target
        return MET if ok else MISSED

    def target_text(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.target:g}{self.unit}"

    def figure_text(self, figure: float | None) -> str:
        if figure is None or math.isnan(figure):
            return "-"
        return f"{figure:.{self.digits}f}{self.unit}"


TIMES = "x"  # a ratio's unit, as printed
GOALS = {
    "overview": Goal(1, "warm overview (API, JWT) ÷ bare view, req/s", 0.5, True, TIMES),
    "usage": Goal(1, "warm 50-record usage page, big set ÷ bare view, req/s", 0.5, True, TIMES),
    "me": Goal(1, "GET /api/v1/me (JWT) ÷ bare view, req/s", 0.7, True, TIMES),
    "page": Goal(1, "overview page (browser session) ÷ bare view, req/s", 0.4, True, TIMES),
    "big_small": Goal(
        2, "warm 50-record page, big set ÷ ~500-record set, median latency", 1.2, False
    ),
    "redis": Goal(3, "Redis bytes per cached usage record, big set", 48, False, " B", 1),
    "cold": Goal(4, "cold first page, big set ÷ upstream fetch + parse, medians", 1.5, False),
    "cold_rss": Goal(
        4, "web worker's peak RSS above rest, cold load of the big set", 60, False, " MiB", 0
    ),
    "non_2xx": Goal(5, "non-2xx answers (and socket errors), all windows", 0, False, "", 0),
}
RATIO_ROUTES = ("overview", "usage", "me", "page")  # goal 1, each ÷ the bare view


def median_rps(windows: list[dict]) -> float:
    return statistics.median(w["rps"] for w in windows) if windows else math.nan


def median_latency(windows: list[dict], quantile: str = "50") -> float:
    values = [w["latency_ms"][quantile] for w in windows if quantile in w["latency_ms"]]
    return statistics.median(values) if values else math.nan


def all_measured(*groups: list[dict]) -> bool:
    return all(groups) and all(not w["problems"] for group in groups for w in group)


def throughput_figures(windows: dict[str, list[dict]]) -> dict:
    """Goals 1, 2 and 5 from the windows by route (each window a dict with rps,
    latency_ms, non_2xx, socket_errors and problems)."""
    bare = windows.get("bare", [])
    figures: dict = {}
    for route in RATIO_ROUTES:
        mine = windows.get(route, [])
        figures[route] = {
            "figure": median_rps(mine) / median_rps(bare) if mine and bare else math.nan,
            "measured": all_measured(mine, bare),
        }
    big, small = windows.get("usage", []), windows.get("usage_small", [])
    figures["big_small"] = {
        "figure": median_latency(big) / median_latency(small) if big and small else math.nan,
        "measured": all_measured(big, small),
    }
    every = [w for group in windows.values() for w in group]
    figures["non_2xx"] = {
        "figure": float(sum(w["non_2xx"] + w["socket_errors"] for w in every)),
        "measured": bool(every),
    }
    return figures


def summary_rows(figures: dict) -> list[dict]:
    """One row per goal: number, what, figure, target, verdict (in GOALS' order)."""
    rows = []
    for name, goal in GOALS.items():
        found = figures.get(name, {})
        figure, measured = found.get("figure"), found.get("measured", False)
        rows.append(
            {
                "goal": goal.number,
                "name": name,
                "what": goal.what,
                "figure": None if figure is None or math.isnan(figure) else figure,
                "figure_text": goal.figure_text(figure),
                "target": goal.target_text(),
                "verdict": goal.verdict(figure, measured=measured),
            }
        )
    return rows
