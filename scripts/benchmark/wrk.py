"""wrk, the compiled load generator both benchmarks drive the server with, and its output.

One window is one `wrk` run against one URL. Besides wrk's own figures (requests per
second, the latency distribution, non-2xx answers, socket errors) each window records the
CPU time wrk itself used (user + system, from the kernel's accounting of the child when it
is reaped), so that a client that measured itself rather than the server shows.

The parsing (`parse`) is pure and unit-tested (tests/test_benchmark_goals.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

INSTALL = "apt-get install wrk"
THREADS = 2
DURING_AFTER = 0.5  # seconds into a window when `during` looks at it

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def executable() -> str:
    """wrk's path; stops the run, saying what to install, when there is none."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk (a compiled HTTP load generator) is missing: install it with "
            f"`{INSTALL}` (as root, or `sudo {INSTALL}`); `make benchmark` does it when run as root"
        )
    return path


def version() -> str:
    """wrk's version line, without its copyright."""
    done = subprocess.run(  # noqa: S603 - wrk, our argument
        [executable(), "-v"], capture_output=True, text=True, check=False
    )
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "unknown"


@dataclass
class Window:
    """One wrk run: its figures and the CPU wrk used."""

    url: str
    seconds: float  # wrk's own measured duration
    requests: int
    rps: float
    latency_ms: dict  # "50", "75", "90", "99" -> ms
    non_2xx: int  # wrk's "Non-2xx or 3xx responses"
    socket_errors: int  # connect + read + write + timeout
    cpu_seconds: float  # wrk's user + system CPU time

    @property
    def cpu_per_second(self) -> float:
        return self.cpu_seconds / self.seconds if self.seconds else float("inf")

    def as_json(self) -> dict:
        return {**asdict(self), "cpu_per_second": self.cpu_per_second}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse(output: str) -> dict:
    """wrk's printed figures (run with --latency); SystemExit when it printed no result."""
    rate, done = _RATE.search(output), _REQUESTS.search(output)
    if rate is None or done is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket = _SOCKET.search(output)
    return {
        "rps": float(rate.group(1)),
        "requests": int(done.group(1)),
        "seconds": _ms(done.group(2), done.group(3)) / 1000,
        "latency_ms": {m.group(1): _ms(m.group(2), m.group(3)) for m in _LATENCY.finditer(output)},
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in socket.groups()) if socket else 0,
    }


def command(url: str, headers: dict[str, str], seconds: int, connections: int) -> list[str]:
    args = [executable(), f"-t{min(THREADS, connections)}", f"-c{connections}"]
    args += [f"-d{int(seconds)}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    return [*args, url]


def window(
    url: str,
    *,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    during: Callable[[int], object] | None = None,
) -> Window:
    """Run wrk once against `url`; its figures and its CPU time.

    `during(wrk's pid)`, when given, is called from a thread once wrk has run for
    DURING_AFTER seconds (while its connections are open)."""
    process = subprocess.Popen(  # noqa: S603 - wrk, our arguments
        command(url, headers, seconds, connections),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.perf_counter()
    timer = threading.Timer(DURING_AFTER, during, args=(process.pid,)) if during else None
    if timer is not None:
        timer.start()
    with process.stdout:  # read until wrk exits and closes it
        output = process.stdout.read()
    if timer is not None:
        timer.cancel()  # a window shorter than DURING_AFTER: nothing to watch
        timer.join()
    # Reap it ourselves, for the kernel's account of its CPU time (exact, not sampled).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"wrk exited with {process.returncode} for {url}:\n{output}")
    figures = parse(output)
    return Window(
        url=url,
        seconds=figures["seconds"] or (time.perf_counter() - started),
        requests=figures["requests"],
        rps=figures["rps"],
        latency_ms=figures["latency_ms"],
        non_2xx=figures["non_2xx"],
        socket_errors=figures["socket_errors"],
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )
