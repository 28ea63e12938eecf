"""Safe retries of writes: the `Idempotency-Key` header of POST, PATCH and DELETE.

The first answer to a key is kept in Redis for IDEMPOTENCY_TTL_SECONDS (24 h) and
returned, unchanged, to every repeat with the same key and the same request; the same
key with a different request answers 422; a repeat while the first is still running
answers 409. Keys are scoped to the user, the customer and the route, so one client's
key can never replay another's answer. Only answers below 500 that the handler
returned are kept; a write that ended in an error (a problem, 5xx) changed nothing and
may be retried with the same key.

A POST's key also becomes the upstream `externalReference` (see customers.services),
so even a retry after an answer lost between PayEx and us cannot create a second
product: PayEx answers the first one again.

While Redis cannot answer, a keyed write is refused before it starts (503: its claim
cannot be taken, and billing_bff.problems maps the Redis error), so one key never
reaches PayEx twice; unkeyed writes are refused too (billing_bff.caching.ensure_writable).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re

import redis
from django.conf import settings
from rest_framework.response import Response

from billing_bff import redis as shared_redis
from billing_bff.problems import Conflict, Unprocessable, ValidationFailed
from billing_bff.redis import get_redis, key

logger = logging.getLogger(__name__)


class IdempotencyKeyReused(Unprocessable):
    default_detail = "This Idempotency-Key was already used for a different request."
    description = "The Idempotency-Key was already used with another request body."


HEADER = "Idempotency-Key"
_VALID = re.compile(r"[\x21-\x7e]{8,128}")
_IN_PROGRESS = "in-progress"


def idempotency_key(request) -> str | None:
    """The client's key, validated; None when the client sent none."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not _VALID.fullmatch(value):
        raise ValidationFailed(
            errors={HEADER: ["Must be 8 to 128 printable ASCII characters without spaces."]}
        )
    return value


def _fingerprint(request) -> str:
    body = request.data if hasattr(request, "data") else None
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def idempotent(handler):
    """Decorator for a write handler of a CustomerScopedAPIView."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        client_key = idempotency_key(request)
        if client_key is None:
            return handler(view, request, *args, **kwargs)
        access = view.access
        digest = hashlib.sha256(client_key.encode()).hexdigest()[:40]
        store_key = key(
            "idem", access.ledger_no, access.customer_no, getattr(access.user, "pk", "-"), digest
        )
        fingerprint = _fingerprint(request)
        r = get_redis()
        claim = json.dumps({"state": _IN_PROGRESS, "fingerprint": fingerprint})
        if not r.set(store_key, claim, nx=True, ex=settings.IDEMPOTENCY_LOCK_SECONDS):
            kept = json.loads(r.get(store_key) or "null")
            if kept is None:  # expired between the two calls: treat as new
                return wrapper(view, request, *args, **kwargs)
            if kept["fingerprint"] != fingerprint:
                raise IdempotencyKeyReused()
            if kept["state"] == _IN_PROGRESS:
                raise Conflict("A request with this Idempotency-Key is still being processed.")
            response = Response(kept["body"], status=kept["status"], headers=kept["headers"])
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            _forget(r, store_key)
            raise
        if response.status_code >= 500:
            _forget(r, store_key)
            return response
        kept = {
            "state": "done",
            "fingerprint": fingerprint,
            "status": response.status_code,
            "body": response.data,
            "headers": {k: v for k, v in response.items() if k in ("Location",)},
        }
        try:
            r.set(store_key, json.dumps(kept, default=str), ex=settings.IDEMPOTENCY_TTL_SECONDS)
        except redis.RedisError as exc:
            # The write was made: its answer stands. A repeat meets the claim (409) until
            # it expires; an order's externalReference still makes PayEx answer it once.
            shared_redis.failed(exc)
            logger.warning("an idempotent answer could not be kept: %s", type(exc).__name__)
        return response

    return wrapper


def _forget(r, store_key: str) -> None:
    """Release the claim of a write that changed nothing, so it may be retried at once."""
    try:
        r.delete(store_key)
    except redis.RedisError as exc:
        shared_redis.failed(exc)
