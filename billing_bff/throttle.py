"""Slowing down password guessing, for the browser login and the mobile token alike.

Failed logins are counted per username and per client address in Redis, so every web
process sees the same counts. When either count reaches its limit, further attempts
are refused with 429 and `Retry-After` until its window ends, without checking the
password. Unknown and known usernames are counted alike, so the refusal says nothing
about which accounts exist. A successful login clears its username's count but not
its address's: one valid account must not reset an attacker's budget for guessing
others from the same address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

from billing_bff.problems import TooManyRequests
from billing_bff.redis import get_redis, key

logger = logging.getLogger(__name__)


class LoginThrottled(TooManyRequests):
    default_detail = "Too many failed logins. Try again later."
    description = "Too many failed logins for this username or address; see `Retry-After`."

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.retry_after = max(1, int(retry_after))


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    With LOGIN_TRUSTED_PROXIES = n, the n-th address from the right of
    X-Forwarded-For is the one our outermost proxy saw; anything left of it was
    written by the client and cannot be trusted.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.LOGIN_TRUSTED_PROXIES
    if trusted > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"


def _digest(value: str) -> str:
    # Usernames and addresses are personal data and client-chosen strings: keys hold
    # only their digest.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(*, username: str, address: str) -> list[tuple[str, int]]:
    return [
        (
            key("login-fail", "user", _digest(username.strip().lower())),
            settings.LOGIN_FAIL_LIMIT_USER,
        ),
        (key("login-fail", "addr", _digest(address)), settings.LOGIN_FAIL_LIMIT_ADDRESS),
    ]


def ensure_login_allowed(*, username: str, address: str) -> None:
    """Raise LoginThrottled when the username or the address has used up its failures."""
    redis = get_redis()
    for counter, limit in _keys(username=username, address=address):
        count = int(redis.get(counter) or 0)
        if count >= limit:
            ttl = redis.ttl(counter)
            logger.warning("login refused: too many failures by %s", counter.split(":")[-2])
            raise LoginThrottled(retry_after=ttl if ttl > 0 else settings.LOGIN_FAIL_WINDOW)


def record_login_failure(*, username: str, address: str) -> None:
    """Count one failed login against the username and the address.

    The window starts at the first failure and is not extended by later ones, so a
    locked-out user knows when they may try again.
    """
    pipe = get_redis().pipeline(transaction=True)
    for counter, _limit in _keys(username=username, address=address):
        pipe.set(counter, 0, nx=True, ex=settings.LOGIN_FAIL_WINDOW)
        pipe.incr(counter)
    pipe.execute()


def record_login_success(*, username: str) -> None:
    counter, _limit = _keys(username=username, address="")[0]
    get_redis().delete(counter)
