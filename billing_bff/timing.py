"""Where a request's time went, for its `Server-Timing` header.

`measure()` opens a request's account (billing_bff.web.middleware.ServerTimingMiddleware);
Redis commands (`TimedConnection`, the shared client's connections) and upstream calls
(billing_bff.upstream.client) add their time to it. Outside a request nothing is
counted. The header holds durations and a word on the body's origin, never a key,
an address or a number of the customer's.
"""

from __future__ import annotations

import contextlib
import time
from contextvars import ContextVar

import redis

_account: ContextVar[dict | None] = ContextVar("server_timing", default=None)


@contextlib.contextmanager
def measure():
    account = {"redis": 0.0, "upstream": 0.0}
    token = _account.set(account)
    try:
        yield account
    finally:
        _account.reset(token)


def add(name: str, seconds: float) -> None:
    account = _account.get()
    if account is not None:
        account[name] = account.get(name, 0.0) + seconds


class TimedConnection(redis.Connection):
    """A Redis connection whose round trips count towards the request's Redis time."""

    def send_packed_command(self, command, check_health=True):
        started = time.perf_counter()
        try:
            return super().send_packed_command(command, check_health)
        finally:
            add("redis", time.perf_counter() - started)

    def read_response(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().read_response(*args, **kwargs)
        finally:
            add("redis", time.perf_counter() - started)


def header(account: dict, total: float, *, rendered: bool | None) -> str:
    parts = [
        f"app;dur={total * 1000:.1f}",
        f"redis;dur={account.get('redis', 0.0) * 1000:.1f}",
        f"upstream;dur={account.get('upstream', 0.0) * 1000:.1f}",
    ]
    if rendered is not None:
        parts.append(f'body;desc="{"rendered-cache" if rendered else "built"}"')
    return ", ".join(parts)
