"""The one Redis connection pool of a process, for what the Django cache API cannot say.

Circuit-breaker state, login counters, locks and the usage store need atomic Redis
operations (INCR, SET NX, pipelines); they all share this client. Django's cache (the
sessions' cache) uses the same server through settings.CACHES.

Redis is a cache and a coordinator here, never the only copy of anything, so its outage
degrades the service instead of failing it: every caller catches `redis.RedisError`
and falls back (reads go to the upstream, counters to the process's own memory, writes
refuse with a 503 problem). After a failure, `failed()` keeps this process off Redis
for REDIS_RETRY_SECONDS: `get_redis()` then raises `RedisUnavailable` at once instead
of paying a connection timeout on every call while Redis stays away. The first call
after that window tries Redis again, so recovery needs no restart.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import cache

import redis
from django.conf import settings

from billing_bff.timing import TimedConnection

logger = logging.getLogger(__name__)


class RedisUnavailable(redis.ConnectionError):
    """Redis failed a moment ago; this process is not asking it again yet."""


_away_until = 0.0
_away_lock = threading.Lock()


@cache
def _client() -> redis.Redis:
    # TCP connections count their round trips in the request's Server-Timing.
    timed = {}
    if settings.REDIS_URL.startswith("redis://"):
        timed["connection_class"] = TimedConnection
    return redis.Redis.from_url(
        settings.REDIS_URL,
        **timed,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        health_check_interval=30,
        retry_on_timeout=True,
    )


def get_redis() -> redis.Redis:
    """The shared client; raises RedisUnavailable while this process keeps off Redis."""
    if _away_until and time.monotonic() < _away_until:
        raise RedisUnavailable("Redis failed a moment ago")
    return _client()


def failed(exc: BaseException | None = None) -> None:
    """Redis did not answer: keep off it for REDIS_RETRY_SECONDS (logged once per spell)."""
    global _away_until
    with _away_lock:
        if isinstance(exc, RedisUnavailable) or time.monotonic() < _away_until:
            return  # within a spell: only a real try after it may start the next one
        _away_until = time.monotonic() + settings.REDIS_RETRY_SECONDS
    logger.warning(
        "Redis unavailable (%s): serving without it, next try in %ss",
        type(exc).__name__ if exc is not None else "error",
        settings.REDIS_RETRY_SECONDS,
    )


def available() -> bool:
    """Whether this process would ask Redis now (not within a failure's retry window)."""
    return time.monotonic() >= _away_until


def reset() -> None:
    """Forget a failure (tests, and the breaker's reset)."""
    global _away_until
    _away_until = 0.0


def key(*parts: object) -> str:
    """A namespaced key; every part is the BFF's own value, never a raw client string."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "bff")
    return ":".join([prefix, *(str(p) for p in parts)])


def customer_key(ledger_no: str, customer_no: str, *parts: object) -> str:
    """A key of one customer's: every key of a customer shares its hash tag
    (`{c:<ledger>:<customer>}`), so multi-key reads and pipelines of one customer stay
    on one slot of a Redis Cluster."""
    return key(f"{{c:{ledger_no}:{customer_no}}}", *parts)
