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


def redis_set_bytes(prefix: str, chosen: dict, owner_no: str) -> dict:
    """(3) Redis bytes of a cached usage set: MEMORY USAGE (SAMPLES 0: every field counted)
    summed over every key under the run's prefix that contains the set's key.

    The set's key is the one the application builds (usage.selectors.usage_set, from the
    customer's cache scope), read in this process against the same Redis; any key whose
    name contains it counts, whatever its suffix, so a change of the store's own layout
    under that key is measured as it is. Keys that name the customer and the
    subscription but not the set key (the cached summary, other generations) are
    reported apart, not counted.
    """
    from billing_bff.access import system_access
    from billing_bff.redis import get_redis
    from usage import selectors

    set_key, cached = selectors.usage_set(
        access=system_access(owner_no, chosen["customerNo"]),
        subscription_no=chosen["subscriptionNo"],
    )
    r = get_redis()
    counted = {"keys": 0, "bytes": 0}
    apart = {"keys": 0, "bytes": 0}
    for name in r.scan_iter(match=f"{prefix}:*", count=1000):
        text = name.decode() if isinstance(name, bytes) else name
        if set_key in text:
            into = counted
        elif chosen["customerNo"] in text and chosen["subscriptionNo"] in text:
            into = apart
        else:
            continue
        into["keys"] += 1
        into["bytes"] += r.memory_usage(name, samples=0) or 0
    records = int(cached.data.get("count") or chosen["recordCount"])
    return {
        "set_key": set_key,
        "records": records,
        "keys": counted["keys"],
        "bytes": counted["bytes"],
        "bytes_per_record": counted["bytes"] / records if records else float("nan"),
        "other_keys_of_subscription": apart,
    }


def redis_pids() -> list[int]:
    """The Redis server's pid when it runs on this machine (for its CPU), else none."""
    from billing_bff.redis import get_redis

    pid = int(get_redis().info("server").get("process_id", 0))
    try:
        ours = "redis" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        ours = False
    return [pid] if pid and ours else []
