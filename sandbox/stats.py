"""Request counts for /billing/ routes, by method and route template, for tests and benchmarks.

Every request that reaches a /billing/ path is counted before faults apply, so faulted
requests count too. Unknown routes count under "<METHOD> (unknown route)".
"""

import threading
from collections import Counter

_counts: Counter = Counter()
_lock = threading.Lock()


def count(method: str, template: str) -> None:
    with _lock:
        _counts[f"{method} {template}"] += 1


def snapshot() -> dict:
    with _lock:
        return {"total": sum(_counts.values()), "routes": dict(sorted(_counts.items()))}


def reset() -> dict:
    with _lock:
        _counts.clear()
    return snapshot()
