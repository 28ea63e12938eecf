"""Slowing down password guessing on every login: the site, the mobile token, the admin.

Nobody without the password can keep the owner out, so nothing is counted per username
alone towards a lockout. Three counts in Redis, shared by every web process:

- per (username, address) pair: `LOGIN_FAIL_LIMIT_PAIR` failures within
  `LOGIN_FAIL_WINDOW` seconds refuse that pair until the window ends. An attacker's
  failures lock out the attacker's address, never the owner's.
- per username, across all addresses: after `LOGIN_DELAY_AFTER` failures each further
  attempt for that username waits `LOGIN_DELAY_BASE` seconds, then twice as long after
  each further failure, up to `LOGIN_DELAY_MAX` (1, 2, 4 … 60 s), so guessing one
  password from many addresses stays slow without a hard lockout. An attempt takes its
  turn atomically, so parallel requests cannot slip through together. The count decays
  after `LOGIN_FAIL_WINDOW` seconds without a failure. An address the username has
  logged in from (within `LOGIN_KNOWN_ADDRESS_DAYS`) skips the delay: the owner's
  usual address is never slowed by someone else's guessing.
- per address, across usernames: `LOGIN_FAIL_LIMIT_ADDRESS` failures within the window
  refuse the address; high enough for many users behind one proxy, and not applied
  when the address is unknown (every such client would share it).

Refusals are 429 with `Retry-After` and check no password. Unknown and known usernames
are counted alike, so a refusal says nothing about which accounts exist. A successful
login clears its pair's count and marks the address known for the username; it does
not clear the address's count (one valid account must not reset an attacker's budget
for guessing others) nor the username's (the owner logging in must not give an
attacker a fresh run of fast guesses).

While Redis cannot answer, each web process counts in its own memory instead
(`_LocalCounters`, the same commands on a dict): the limits then hold per process, not
across them, which still slows guessing and never refuses a login for Redis's sake.

Why not django-axes (8.3 supports Django 5.2): its cache handler has one failure limit
for all its lockout parameters, no growing per-username delay (that would be a second
throttle beside it), and a success resets every parameter's count, the address's
included; it hooks in through its own authentication backend and middleware, which do
not see DRF's request on the token endpoint, answers with its own lockout response
rather than our problem class, and logs usernames and addresses in the clear. The code
here is small, keys only digests, and serves the three login paths through
`ensure_login_allowed` / `record_login_failure` / `record_login_success` (the forms in
billing_bff.forms for the site and the admin, billing_bff.apis for the token).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import math
import threading
import time

import redis
from django.conf import settings
from django.http import HttpRequest

from billing_bff import redis as shared_redis
from billing_bff.problems import TooManyRequests
from billing_bff.redis import get_redis, key

logger = logging.getLogger(__name__)

UNKNOWN_ADDRESS = "unknown"


class LoginThrottled(TooManyRequests):
    default_detail = "Too many failed logins. Try again later."
    description = (
        "Too many failed logins for this username from this address, or from this "
        "address, or the username's growing delay between attempts; see `Retry-After`."
    )

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
        return UNKNOWN_ADDRESS


def _digest(*values: str) -> str:
    # Usernames and addresses are personal data and client-chosen strings: keys hold
    # only their digest.
    return hashlib.sha256("\x00".join(values).encode()).hexdigest()[:32]


class _Keys:
    def __init__(self, *, username: str, address: str):
        name = username.strip().lower()
        self.known_address = address != UNKNOWN_ADDRESS
        self.pair = key("login-fail", "pair", _digest(name, address))
        self.address = key("login-fail", "addr", _digest(address))
        self.user = key("login-fail", "user", _digest(name))
        self.turn = key("login-wait", "user", _digest(name))
        self.known = key("login-known", "pair", _digest(name, address))


class _LocalCounters:
    """This process's stand-in for Redis while it is away: the commands used below, on a
    dict of (value, expiry), under one lock; a pipeline runs its commands in one go."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[int, float | None]] = {}
        self._lock = threading.RLock()

    def _live(self, name: str) -> tuple[int, float | None] | None:
        found = self._values.get(name)
        if found is not None and found[1] is not None and found[1] <= time.monotonic():
            del self._values[name]
            return None
        return found

    def get(self, name: str):
        with self._lock:
            found = self._live(name)
            return None if found is None else str(found[0]).encode()

    def pttl(self, name: str) -> int:
        with self._lock:
            found = self._live(name)
            if found is None:
                return -2
            return -1 if found[1] is None else math.ceil((found[1] - time.monotonic()) * 1000)

    def ttl(self, name: str) -> int:
        left = self.pttl(name)
        return left if left < 0 else math.ceil(left / 1000)

    def exists(self, name: str) -> int:
        with self._lock:
            return int(self._live(name) is not None)

    def set(self, name, value, *, nx=False, ex=None, px=None) -> bool:
        with self._lock:
            if nx and self._live(name) is not None:
                return False
            seconds = ex if ex is not None else (px / 1000 if px is not None else None)
            expiry = None if seconds is None else time.monotonic() + seconds
            self._values[name] = (int(value), expiry)
            return True

    def incr(self, name: str) -> int:
        with self._lock:
            value, expiry = self._live(name) or (0, None)
            self._values[name] = (value + 1, expiry)
            return value + 1

    def expire(self, name: str, seconds: int) -> None:
        with self._lock:
            found = self._live(name)
            if found is not None:
                self._values[name] = (found[0], time.monotonic() + seconds)

    def delete(self, name: str) -> None:
        with self._lock:
            self._values.pop(name, None)

    def pipeline(self, transaction: bool = True) -> _LocalPipeline:
        return _LocalPipeline(self)


class _LocalPipeline:
    def __init__(self, counters: _LocalCounters) -> None:
        self._counters = counters
        self._calls: list = []

    def __getattr__(self, command: str):
        def queue(*args, **kwargs):
            self._calls.append(functools.partial(getattr(self._counters, command), *args, **kwargs))
            return self

        return queue

    def execute(self) -> list:
        with self._counters._lock:
            return [call() for call in self._calls]


_local = _LocalCounters()


def _counted(operation):
    """Run `operation(counters)` on Redis; on this process's counters when Redis is away."""

    @functools.wraps(operation)
    def run(**kwargs):
        try:
            return operation(get_redis(), **kwargs)
        except redis.RedisError as exc:
            shared_redis.failed(exc)
        return operation(_local, **kwargs)

    return run


def delay_seconds(failures: int) -> float:
    """The wait before the next attempt for a username with this many failures (0: none)."""
    after = settings.LOGIN_DELAY_AFTER
    if failures < after:
        return 0.0
    # Bounded exponent: the count can grow large, the delay stops at its cap.
    return min(
        float(settings.LOGIN_DELAY_MAX),
        settings.LOGIN_DELAY_BASE * 2 ** min(failures - after, 32),
    )


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _refuse(why: str, retry_after: float) -> LoginThrottled:
    logger.warning("login refused: %s", why)
    return LoginThrottled(retry_after=math.ceil(retry_after))


@_counted
def ensure_login_allowed(counters, *, username: str, address: str) -> None:
    """Raise LoginThrottled when this attempt must not check a password now.

    Otherwise, when the username is in its delay, this attempt takes the username's
    turn: the next one waits for the delay.
    """
    keys = _Keys(username=username, address=address)
    pipe = counters.pipeline(transaction=False)
    pipe.get(keys.pair)
    pipe.ttl(keys.pair)
    pipe.get(keys.address)
    pipe.ttl(keys.address)
    pipe.get(keys.user)
    pipe.exists(keys.known)
    pair, pair_ttl, addr, addr_ttl, user, known = pipe.execute()
    window = settings.LOGIN_FAIL_WINDOW

    if int(pair or 0) >= settings.LOGIN_FAIL_LIMIT_PAIR:
        raise _refuse("too many failures for a username from an address", _ttl(pair_ttl, window))
    if keys.known_address and int(addr or 0) >= settings.LOGIN_FAIL_LIMIT_ADDRESS:
        raise _refuse("too many failures from an address", _ttl(addr_ttl, window))
    if known and keys.known_address:
        return
    delay = delay_seconds(int(user or 0))
    if delay and not counters.set(keys.turn, 1, nx=True, px=_ms(delay)):
        remaining = counters.pttl(keys.turn)
        raise _refuse("a username's delay between attempts", max(remaining, 1) / 1000)


def _ttl(ttl: int, default: int) -> int:
    return ttl if ttl > 0 else default


@_counted
def record_login_failure(counters, *, username: str, address: str) -> None:
    """Count one failed login against the pair, the address and the username.

    The pair's and the address's windows start at their first failure and are not
    extended by later ones, so a refused client knows when it may try again. The
    username's count lives until a window passes without a failure, and the failure
    starts the username's wait before the next attempt.
    """
    keys = _Keys(username=username, address=address)
    window = settings.LOGIN_FAIL_WINDOW
    pipe = counters.pipeline(transaction=True)
    for counter in (keys.pair, keys.address):
        pipe.set(counter, 0, nx=True, ex=window)
        pipe.incr(counter)
    pipe.incr(keys.user)
    pipe.expire(keys.user, window)
    failures = pipe.execute()[-2]
    delay = delay_seconds(failures)
    if delay:
        counters.set(keys.turn, 1, px=_ms(delay))


@_counted
def record_login_success(counters, *, username: str, address: str) -> None:
    """Clear the pair's count and remember the address as one the username uses."""
    keys = _Keys(username=username, address=address)
    pipe = counters.pipeline(transaction=True)
    pipe.delete(keys.pair)
    if keys.known_address:
        pipe.set(keys.known, 1, ex=settings.LOGIN_KNOWN_ADDRESS_DAYS * 24 * 3600)
    pipe.execute()
