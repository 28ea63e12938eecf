"""(4) Memory of the web workers: VmRSS and VmHWM from /proc, and a sampler of VmRSS."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path


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


def memory_of(pids: list[int]) -> dict[int, dict[str, int]]:
    """memory_kib of each process, now."""
    return {pid: memory_kib(pid) for pid in pids}


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
