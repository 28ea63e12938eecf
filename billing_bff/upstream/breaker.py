"""A circuit breaker per upstream API, its state in Redis so every process shares it.

Closed: calls pass; each failure that says the upstream is unhealthy (connection error,
timeout, 5xx, malformed body) increments a counter that lives for the failure window;
any success resets it. When the counter reaches the threshold the breaker opens for the
cool-down: calls fail fast with CircuitOpen and never touch the upstream. After the
cool-down it is half-open: one caller wins the probe slot (SET NX) and calls; a success
closes the breaker, a failure opens it again. If Redis itself is down the breaker lets
calls through: it protects the upstream, it must not become an outage of its own.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings

from billing_bff.redis import get_redis, key

logger = logging.getLogger(__name__)


class Breaker:
    def __init__(self, api: str):
        self.api = api
        self._failures = key("breaker", api, "failures")
        self._open = key("breaker", api, "open")
        self._probe = key("breaker", api, "probe")

    @property
    def threshold(self) -> int:
        return settings.PAYEX_BREAKER_THRESHOLD

    @property
    def cooldown_ms(self) -> int:
        return int(settings.PAYEX_BREAKER_COOLDOWN * 1000)

    def allow(self) -> tuple[bool, float]:
        """(may call, seconds until the next probe when not)."""
        try:
            r = get_redis()
            open_ms, failures = r.pipeline().pttl(self._open).get(self._failures).execute()
            if open_ms > 0:
                return False, open_ms / 1000
            failures = int(failures or 0)
            if failures < self.threshold:
                return True, 0.0
            # Half-open: one probe at a time; it holds the slot for one read timeout.
            probe_ms = int((settings.PAYEX_CONNECT_TIMEOUT + settings.PAYEX_READ_TIMEOUT) * 1000)
            if r.set(self._probe, "1", nx=True, px=probe_ms):
                logger.info("upstream breaker half-open api=%s: probing", self.api)
                return True, 0.0
            return False, max(r.pttl(self._probe), 1000) / 1000
        except redis.RedisError:
            logger.warning(
                "upstream breaker state unreadable api=%s: letting call through", self.api
            )
            return True, 0.0

    def record_success(self) -> None:
        try:
            get_redis().delete(self._failures, self._probe)
        except redis.RedisError:
            logger.warning("upstream breaker state unwritable api=%s", self.api)

    def record_failure(self) -> None:
        try:
            r = get_redis()
            window_ms = max(self.cooldown_ms * 4, 60_000)
            pipe = r.pipeline()
            pipe.incr(self._failures)
            pipe.pexpire(self._failures, window_ms)
            failures, _ = pipe.execute()
            if failures >= self.threshold:
                r.set(self._open, "1", px=self.cooldown_ms)
                r.delete(self._probe)
                logger.error(
                    "upstream breaker open api=%s failures=%d cooldown_s=%.1f",
                    self.api,
                    failures,
                    self.cooldown_ms / 1000,
                )
        except redis.RedisError:
            logger.warning("upstream breaker state unwritable api=%s", self.api)

    def reset(self) -> None:
        get_redis().delete(self._failures, self._open, self._probe)
