"""One deadline shared by every upstream call of an end-user request or a task.

The web middleware opens a deadline per request (PAYEX_REQUEST_DEADLINE seconds); a
Celery task opens its own. Each call's timeouts are cut to what is left, and no retry
starts once it is spent. Outside any deadline, only the per-call timeouts apply.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("payex_deadline", default=None)


@contextmanager
def deadline(seconds: float):
    """Run the block under a deadline `seconds` from now (an inner one never extends it)."""
    outer = _deadline.get()
    mine = time.monotonic() + seconds
    token = _deadline.set(min(mine, outer) if outer is not None else mine)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left, or None when no deadline is open."""
    end = _deadline.get()
    return None if end is None else end - time.monotonic()
