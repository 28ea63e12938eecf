"""The one Redis connection pool of a process, for what the Django cache API cannot say.

Circuit-breaker state, login counters, locks and the usage store need atomic Redis
operations (INCR, SET NX, pipelines); they all share this client. Django's cache uses
the same server through settings.CACHES.
"""

from functools import cache

import redis
from django.conf import settings


@cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
        retry_on_timeout=True,
    )


def key(*parts: object) -> str:
    """A namespaced key; every part is the BFF's own value, never a raw client string."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "bff")
    return ":".join([prefix, *(str(p) for p in parts)])
