"""A circuit breaker per upstream API, its state in Redis so every process shares it.

It counts requests, not attempts: the client asks it once per call (`allow`) and tells
it the call's one outcome after the call's own retries (`record`), so a request that
succeeds on its second attempt is a success and the retries of one request never open
the breaker by themselves.

Closed: calls pass. Each outcome goes into a per-second bucket (successes and failures
in one Redis hash, fields `{second}:ok` and `{second}:fail`), and the buckets of the last
PAYEX_BREAKER_WINDOW seconds are summed on every record. When that window holds at
least PAYEX_BREAKER_MIN_CALLS outcomes and at least PAYEX_BREAKER_FAILURE_RATIO of them
are failures (connection error, timeout, 5xx, malformed body: `counts_as_failure`), the
breaker opens.

Open: for PAYEX_BREAKER_COOLDOWN seconds calls fail fast with CircuitOpen and never touch
the upstream.

Half-open: after the cool-down, up to PAYEX_BREAKER_HALF_OPEN_PROBES callers at a time
are let through as probes (each holds its slot for at most one attempt's timeouts); the
others still fail fast. A probe that succeeds closes the breaker and forgets the window;
one that fails opens it for another cool-down.

`state()` reads the state without taking a probe slot (readiness reports it that way).

Every step is one Lua script, so concurrent processes never see a half-made change. If
Redis cannot answer, the breaker falls back to the same rules kept in this process's
memory (and asks Redis again REDIS_RETRY_SECONDS later, so a Redis that hangs costs no
timeout per call): it protects the upstream, it must not become an outage of its own.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

import redis
from django.conf import settings

from billing_bff import redis as shared_redis
from billing_bff.redis import get_redis, key

from .metrics import BREAKER_STATE

logger = logging.getLogger(__name__)

APIS = ("customer", "invoice", "usage")
CLOSED, HALF_OPEN, OPEN = "closed", "half-open", "open"
_GAUGE = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


@dataclass(frozen=True)
class Permit:
    """The breaker's answer to one call: may it go, is it a probe, how long to wait if not."""

    allowed: bool
    probe: bool = False
    wait: float = 0.0
    token: str = ""


PASS = Permit(allowed=True)


# KEYS: open, tripped, probes. ARGV: now_ms, max_probes, lease_ms, token.
# Returns {allowed, probe, wait_ms, state (0 closed, 1 half-open, 2 open)}.
_ALLOW = """
local open_ms = redis.call('PTTL', KEYS[1])
if open_ms > 0 then return {0, 0, open_ms, 2} end
if redis.call('EXISTS', KEYS[2]) == 0 then return {1, 0, 0, 0} end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3]))
  return {1, 1, 0, 1}
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
return {0, 0, math.max(1000, tonumber(first[2]) - now), 1}
"""

# KEYS: window, open, tripped. ARGV: now_s, ok (1|0), window_s, min_calls, ratio,
# cooldown_ms. Returns {opened (1|0), calls, failures}.
_RECORD = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[3])
local field = ARGV[1] .. (ARGV[2] == '1' and ':ok' or ':fail')
redis.call('HINCRBY', KEYS[1], field, 1)
redis.call('EXPIRE', KEYS[1], window + 1)
local calls, failures = 0, 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local second, kind = string.match(all[i], '^(%d+):(%a+)$')
  if second == nil or tonumber(second) <= now - window then
    redis.call('HDEL', KEYS[1], all[i])
  else
    local n = tonumber(all[i + 1])
    calls = calls + n
    if kind == 'fail' then failures = failures + n end
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then
  return {0, calls, failures}
end
if calls >= tonumber(ARGV[4]) and failures >= tonumber(ARGV[5]) * calls then
  redis.call('SET', KEYS[2], '1', 'PX', tonumber(ARGV[6]))
  redis.call('SET', KEYS[3], '1')
  return {1, calls, failures}
end
return {0, calls, failures}
"""

# KEYS: window, open, tripped, probes. ARGV: token, ok (1|0|-1 cancelled), cooldown_ms.
# Returns 1 closed, 2 reopened, 0 nothing changed.
_PROBE_DONE = """
local held = redis.call('ZREM', KEYS[4], ARGV[1])
if ARGV[2] == '-1' or redis.call('EXISTS', KEYS[2]) == 1
   or redis.call('EXISTS', KEYS[3]) == 0 then
  return 0
end
if ARGV[2] == '1' then
  redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
  return 1
end
redis.call('SET', KEYS[2], '1', 'PX', tonumber(ARGV[3]))
redis.call('DEL', KEYS[4])
return 2
"""

# KEYS: open, tripped. Returns {open_ms, tripped}.
_STATE = """
return {redis.call('PTTL', KEYS[1]), redis.call('EXISTS', KEYS[2])}
"""


@dataclass
class _Memory:
    """The same rules for one API in this process, for when Redis cannot answer."""

    buckets: dict[int, list[int]] = field(default_factory=dict)  # second -> [ok, fail]
    open_until: float = 0.0
    tripped: bool = False
    probes: dict[str, float] = field(default_factory=dict)  # token -> lease end
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, now: float, *, max_probes: int, lease: float, token: str):
        with self.lock:
            if self.open_until > now:
                return Permit(False, wait=self.open_until - now)
            if not self.tripped:
                return PASS
            self.probes = {t: end for t, end in self.probes.items() if end > now}
            if len(self.probes) < max_probes:
                self.probes[token] = now + lease
                return Permit(True, probe=True, token=token)
            return Permit(False, wait=max(1.0, min(self.probes.values()) - now))

    def record(self, now: float, ok: bool, *, window: int, min_calls: int, ratio, cooldown):
        with self.lock:
            second = int(now)
            self.buckets = {s: b for s, b in self.buckets.items() if s > second - window}
            bucket = self.buckets.setdefault(second, [0, 0])
            bucket[0 if ok else 1] += 1
            calls = sum(good + bad for good, bad in self.buckets.values())
            failures = sum(bad for _, bad in self.buckets.values())
            if self.open_until > now or self.tripped:
                return False, calls, failures
            if calls >= min_calls and failures >= ratio * calls:
                self.open_until, self.tripped = now + cooldown, True
                return True, calls, failures
            return False, calls, failures

    def probe_done(self, now: float, token: str, ok: bool | None, *, cooldown: float) -> int:
        with self.lock:
            self.probes.pop(token, None)
            if ok is None or self.open_until > now or not self.tripped:
                return 0
            if ok:
                self.buckets.clear()
                self.probes.clear()
                self.tripped = False
                return 1
            self.open_until = now + cooldown
            self.probes.clear()
            return 2

    def state(self, now: float) -> str:
        with self.lock:
            if self.open_until > now:
                return OPEN
            return HALF_OPEN if self.tripped else CLOSED


_memory: dict[str, _Memory] = {}
_warned: dict[str, float] = {}


_memory_lock = threading.Lock()


def _memory_for(api: str) -> _Memory:
    with _memory_lock:
        return _memory.setdefault(api, _Memory())


class Breaker:
    def __init__(self, api: str):
        self.api = api
        self._window = key("breaker", api, "window")
        self._open = key("breaker", api, "open")
        self._tripped = key("breaker", api, "tripped")
        self._probes = key("breaker", api, "probes")

    # --- settings ---------------------------------------------------------------------
    @property
    def window_seconds(self) -> int:
        return max(1, int(settings.PAYEX_BREAKER_WINDOW))

    @property
    def min_calls(self) -> int:
        return max(1, settings.PAYEX_BREAKER_MIN_CALLS)

    @property
    def failure_ratio(self) -> float:
        return min(1.0, max(0.0, settings.PAYEX_BREAKER_FAILURE_RATIO))

    @property
    def cooldown_ms(self) -> int:
        return max(1, int(settings.PAYEX_BREAKER_COOLDOWN * 1000))

    @property
    def max_probes(self) -> int:
        return max(1, settings.PAYEX_BREAKER_HALF_OPEN_PROBES)

    @property
    def probe_lease_ms(self) -> int:
        # A probe makes one attempt; its slot is free again when that attempt must be over.
        return int((settings.PAYEX_CONNECT_TIMEOUT + settings.PAYEX_READ_TIMEOUT) * 1000) + 1000

    # --- the calls ----------------------------------------------------------------------
    def allow(self) -> Permit:
        """May a call go now? Refused: `wait` is the seconds until the next probe."""
        token = uuid.uuid4().hex
        try:
            allowed, probe, wait_ms, code = get_redis().eval(
                _ALLOW,
                3,
                self._open,
                self._tripped,
                self._probes,
                int(time.time() * 1000),
                self.max_probes,
                self.probe_lease_ms,
                token,
            )
            permit = Permit(bool(allowed), probe=bool(probe), wait=wait_ms / 1000, token=token)
            state = (CLOSED, HALF_OPEN, OPEN)[code]
        except redis.RedisError:
            self._unreadable()
            memory = _memory_for(self.api)
            now = time.time()
            state = memory.state(now)
            permit = memory.allow(
                now, max_probes=self.max_probes, lease=self.probe_lease_ms / 1000, token=token
            )
        if permit.probe:
            logger.info("upstream breaker half-open api=%s: probing", self.api)
        self._show(state)
        return permit

    def record(self, permit: Permit, *, ok: bool) -> None:
        """The one outcome of a call that `allow` let through (after its retries)."""
        if permit.probe:
            self._probe_done(permit, ok)
            return
        now = time.time()
        try:
            opened, calls, failures = get_redis().eval(
                _RECORD,
                3,
                self._window,
                self._open,
                self._tripped,
                int(now),
                1 if ok else 0,
                self.window_seconds,
                self.min_calls,
                repr(self.failure_ratio),
                self.cooldown_ms,
            )
        except redis.RedisError:
            self._unreadable()
            opened, calls, failures = _memory_for(self.api).record(
                now,
                ok,
                window=self.window_seconds,
                min_calls=self.min_calls,
                ratio=self.failure_ratio,
                cooldown=self.cooldown_ms / 1000,
            )
        if opened:
            self._show(OPEN)
            logger.error(
                "upstream breaker open api=%s calls=%d failures=%d window_s=%d cooldown_s=%.1f",
                self.api,
                calls,
                failures,
                self.window_seconds,
                self.cooldown_ms / 1000,
            )

    def cancel(self, permit: Permit) -> None:
        """A call that was let through but never reached the upstream: no outcome."""
        if permit.probe:
            self._probe_done(permit, None)

    def record_success(self) -> None:
        self.record(PASS, ok=True)

    def record_failure(self) -> None:
        self.record(PASS, ok=False)

    def state(self) -> str:
        """closed, half-open or open; read only, so it never takes a probe slot."""
        try:
            open_ms, tripped = get_redis().eval(_STATE, 2, self._open, self._tripped)
        except redis.RedisError:
            self._unreadable()
            return _memory_for(self.api).state(time.time())
        if open_ms > 0:
            return OPEN
        return HALF_OPEN if tripped else CLOSED

    def reset(self) -> None:
        """Closed, with an empty window, in Redis and in this process."""
        shared_redis.reset()
        with _memory_lock:
            _memory.pop(self.api, None)
        self._show(CLOSED)
        get_redis().delete(self._window, self._open, self._tripped, self._probes)

    # --- internals ----------------------------------------------------------------------
    def _probe_done(self, permit: Permit, ok: bool | None) -> None:
        flag = "-1" if ok is None else ("1" if ok else "0")
        try:
            changed = get_redis().eval(
                _PROBE_DONE,
                4,
                self._window,
                self._open,
                self._tripped,
                self._probes,
                permit.token,
                flag,
                self.cooldown_ms,
            )
        except redis.RedisError:
            self._unreadable()
            changed = _memory_for(self.api).probe_done(
                time.time(), permit.token, ok, cooldown=self.cooldown_ms / 1000
            )
        if changed == 1:
            self._show(CLOSED)
            logger.warning("upstream breaker closed api=%s: a probe succeeded", self.api)
        elif changed == 2:
            self._show(OPEN)
            logger.error(
                "upstream breaker open again api=%s: a probe failed cooldown_s=%.1f",
                self.api,
                self.cooldown_ms / 1000,
            )

    def _show(self, state: str) -> None:
        BREAKER_STATE.labels(self.api).set(_GAUGE[state])

    def _unreadable(self) -> None:
        shared_redis.failed()
        # Once a minute per API, not once per call, while Redis stays away.
        now = time.monotonic()
        if now - _warned.get(self.api, -60.0) >= 60.0:
            _warned[self.api] = now
            logger.warning(
                "upstream breaker state unreachable in Redis api=%s: using this process's own",
                self.api,
            )
