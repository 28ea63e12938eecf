"""A bulkhead per upstream API: how many calls to it this process runs at once.

Each API has its own `threading.BoundedSemaphore` of PAYEX_MAX_CONCURRENT_CALLS slots.
A call takes a slot before its first attempt and gives it back after its last, waiting
at most PAYEX_BULKHEAD_WAIT seconds for one; when none frees up in that time the call
fails at once with BulkheadFull (a 503) instead of queueing behind calls that may hang
for a whole read timeout. So a slow or hanging API holds at most that many threads of a
process, and the rest stay free for cached reads and for the other APIs. A refusal says
nothing about the upstream's health: it never counts towards the breaker.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from django.conf import settings

from . import errors
from .metrics import BULKHEAD_REJECTIONS

_lock = threading.Lock()
_semaphores: dict[str, tuple[int, threading.BoundedSemaphore]] = {}


def _semaphore(api: str) -> threading.BoundedSemaphore:
    size = max(1, int(settings.PAYEX_MAX_CONCURRENT_CALLS))
    with _lock:
        known = _semaphores.get(api)
        if known is None or known[0] != size:
            # A changed setting (tests) gets a new semaphore; calls holding the old one
            # give their slot back to it.
            known = (size, threading.BoundedSemaphore(size))
            _semaphores[api] = known
        return known[1]


@contextmanager
def slot(api: str):
    """Hold one of the API's slots for the block, or raise BulkheadFull."""
    semaphore = _semaphore(api)
    if not semaphore.acquire(timeout=max(0.0, settings.PAYEX_BULKHEAD_WAIT)):
        BULKHEAD_REJECTIONS.labels(api).inc()
        raise errors.BulkheadFull(api=api)
    try:
        yield
    finally:
        semaphore.release()


def _forget() -> None:
    # A forked worker starts with every slot free.
    with _lock:
        _semaphores.clear()


os.register_at_fork(after_in_child=_forget)
