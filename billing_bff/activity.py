"""Which customers are being looked at, so background jobs keep their data warm.

Every authorised customer-scoped request marks its customer active (one ZADD, sent
with the request's generation read by billing_bff.caching.enter), at most once per
MARK_EVERY seconds per process and customer: usage's beat job refreshes the customers
active within a window of minutes (USAGE_ACTIVE_WINDOW_SECONDS), so a mark a few
seconds old says the same, and a warm request spares the command.
"""

from __future__ import annotations

import threading
import time

from billing_bff.redis import get_redis, key

MARK_EVERY = 10.0
_marked: dict[tuple[str, str], float] = {}
_marked_lock = threading.Lock()


def _active_key() -> str:
    return key("active-customers")


def mark_due(*, ledger_no: str, customer_no: str) -> bool:
    """Whether this process should mark the customer now (not within MARK_EVERY)."""
    last = _marked.get((ledger_no, customer_no))
    return last is None or time.monotonic() - last >= MARK_EVERY


def marked(*, ledger_no: str, customer_no: str) -> None:
    """The mark landed: the next is due in MARK_EVERY seconds."""
    with _marked_lock:
        if len(_marked) > 10_000:
            _marked.clear()
        _marked[(ledger_no, customer_no)] = time.monotonic()


def forget_marks() -> None:
    """Every customer's mark due again (tests that empty Redis)."""
    with _marked_lock:
        _marked.clear()


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
