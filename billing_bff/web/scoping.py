"""Entering a customer's cache scope at a route's entry, after its access check.

Every customer route (billing_bff.web.api, billing_bff.web.pages) resolves the access
first (billing_bff.access, the database only), then enters the customer's cache scope
(billing_bff.caching.enter: one round trip that reads the generation and marks the
customer looked at, so the background refresh keeps it warm).

A user's own customers are marked on entry. An agent may type any well-formed number:
that customer is marked only once a read of it has answered (status below 400), so the
background refresh never polls PayEx for a customer that does not exist.
"""

from __future__ import annotations

import logging

import redis

from billing_bff import activity, caching
from billing_bff.access import CustomerAccess
from billing_bff.redis import get_redis

logger = logging.getLogger(__name__)


def enter(access: CustomerAccess, *, also: str | None = None) -> CustomerAccess:
    return caching.enter(access, mark_active=access.linked, also=also)


def finish(access: CustomerAccess, *, status_code: int) -> None:
    if access.linked or status_code >= 400:
        return
    try:
        activity.mark_active(
            get_redis(), ledger_no=access.ledger_no, customer_no=access.customer_no
        )
    except redis.RedisError as exc:
        logger.warning("could not mark a customer active: %s", type(exc).__name__)
