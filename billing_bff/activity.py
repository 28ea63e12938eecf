"""Which customers are being looked at, so background jobs keep their data warm.

Every authorised customer-scoped request marks its customer active (one ZADD, sent
with the request's generation read by billing_bff.caching.enter);
usage's beat job refreshes the customers active within a window.
"""

from __future__ import annotations

import time

from billing_bff.redis import get_redis, key


def _active_key() -> str:
    return key("active-customers")


def mark_active(client, *, ledger_no: str, customer_no: str) -> None:
    """Mark the customer as looked at now, on `client`: a Redis client or a pipeline.

    billing_bff.caching.enter queues it on the pipeline that also reads the request's
    generation, and keeps a failure from failing the request: only freshness depends
    on the mark.
    """
    client.zadd(_active_key(), {f"{ledger_no}:{customer_no}": time.time()})


def active_customers(*, within_seconds: int) -> list[tuple[str, str]]:
    """(ledger, customer) of everyone looked at within the window; older marks are dropped."""
    r = get_redis()
    now = time.time()
    r.zremrangebyscore(_active_key(), "-inf", now - within_seconds)
    members = r.zrangebyscore(_active_key(), now - within_seconds, "+inf")
    return [tuple(m.decode().split(":", 1)) for m in members]
