"""Which customers are being looked at, so background jobs keep their data warm.

Every authorised customer-scoped request marks its customer active (one ZADD);
usage's beat job refreshes the customers active within a window.
"""

from __future__ import annotations

import logging
import time

import redis

from billing_bff.redis import get_redis, key

logger = logging.getLogger(__name__)


def _active_key() -> str:
    return key("active-customers")


def mark_active(*, ledger_no: str, customer_no: str) -> None:
    try:
        get_redis().zadd(_active_key(), {f"{ledger_no}:{customer_no}": time.time()})
    except redis.RedisError:
        # Only freshness depends on it; the request itself must not fail for it.
        logger.warning("could not mark a customer active")


def active_customers(*, within_seconds: int) -> list[tuple[str, str]]:
    """(ledger, customer) of everyone looked at within the window; older marks are dropped."""
    r = get_redis()
    now = time.time()
    r.zremrangebyscore(_active_key(), "-inf", now - within_seconds)
    members = r.zrangebyscore(_active_key(), now - within_seconds, "+inf")
    return [tuple(m.decode().split(":", 1)) for m in members]
