"""Where the machine's CPU went during a window: the server, Redis, the sandbox, this
script, and everything else (other people's work on a shared machine), from /proc.

wrk's own CPU is measured apart (scripts.benchmark.wrk, exact from its rusage); "others"
is the machine's busy time less all of these and wrk's.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all CPUs; not idle, not iowait)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


class CpuMeter:
    """CPU seconds per second of wall time, by group of processes, between start and stop."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self._started: tuple[float, float, dict[str, float]] | None = None

    def _ours(self) -> dict[str, float]:
        return {
            name: sum(process_cpu_seconds(pid) for pid in pids)
            for name, pids in self.groups.items()
        }

    def start(self) -> None:
        self._started = (time.perf_counter(), machine_busy_seconds(), self._ours())

    def stop(self, *, wrk_cpu_seconds: float = 0.0) -> dict[str, float]:
        if self._started is None:
            raise RuntimeError("CpuMeter.stop() before start()")
        wall0, busy0, ours0 = self._started
        wall = time.perf_counter() - wall0
        busy = machine_busy_seconds() - busy0
        ours = {name: value - ours0[name] for name, value in self._ours().items()}
        per_second = {name: value / wall for name, value in ours.items()}
        # Groups named "server …" (its master, each worker) are also given as one sum.
        server = [v for name, v in per_second.items() if name.startswith("server ")]
        if server:
            per_second["server"] = sum(server)
        per_second["machine"] = busy / wall
        per_second["others"] = max(0.0, busy - sum(ours.values()) - wrk_cpu_seconds) / wall
        return per_second
