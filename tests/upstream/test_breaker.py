"""The circuit breaker alone, on the suite's real Redis (and on a Redis that is down)."""

import types

import pytest
import redis
from prometheus_client import REGISTRY

from billing_bff.upstream import breaker as breaker_module
from billing_bff.upstream.breaker import CLOSED, HALF_OPEN, OPEN, Breaker


@pytest.fixture
def breaker(settings):
    settings.PAYEX_BREAKER_FAILURE_RATIO = 0.5
    settings.PAYEX_BREAKER_MIN_CALLS = 4
    settings.PAYEX_BREAKER_WINDOW = 30
    settings.PAYEX_BREAKER_COOLDOWN = 0.2
    settings.PAYEX_BREAKER_HALF_OPEN_PROBES = 2
    settings.PAYEX_CONNECT_TIMEOUT = 1.0
    settings.PAYEX_READ_TIMEOUT = 1.0
    instance = Breaker("customer")
    instance.reset()
    yield instance
    instance.reset()


@pytest.fixture
def redis_down(breaker):
    """A Redis that refuses connections: nothing listens on port 1."""
    down = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(breaker_module, "get_redis", lambda: down)
        yield


def open_after_cooldown(breaker, settings):
    for _ in range(settings.PAYEX_BREAKER_MIN_CALLS):
        breaker.record_failure()
    assert breaker.state() == OPEN
    wait_until(lambda: breaker.state() == HALF_OPEN)


def wait_until(condition, timeout=5.0):
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.02)


def test_it_opens_on_the_failure_ratio_once_the_window_holds_enough_calls(breaker):
    for ok in (False, True, False):
        breaker.record(breaker.allow(), ok=ok)
    assert breaker.state() == CLOSED  # 2 of 3 failed, but 3 calls are too few to judge
    breaker.record(breaker.allow(), ok=True)
    assert breaker.state() == OPEN  # 2 of 4: the ratio is reached
    refused = breaker.allow()
    assert not refused.allowed and 0 < refused.wait <= 0.2


def test_failures_below_the_ratio_never_open_it(breaker):
    for index in range(40):
        breaker.record(breaker.allow(), ok=index % 3 != 2)  # one in three fails
    assert breaker.state() == CLOSED


def test_the_window_slides_old_outcomes_out(breaker, monkeypatch):
    clock = types.SimpleNamespace(now=1_000_000.0)
    fake_time = types.SimpleNamespace(time=lambda: clock.now, monotonic=lambda: clock.now)
    monkeypatch.setattr(breaker_module, "time", fake_time)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 30  # those three are now older than the window
    breaker.record_failure()
    assert breaker.state() == CLOSED
    for _ in range(3):
        breaker.record_failure()
    assert breaker.state() == OPEN


def test_half_open_lets_a_few_probes_through_and_a_success_closes_it(breaker, settings):
    open_after_cooldown(breaker, settings)
    first, second, third = breaker.allow(), breaker.allow(), breaker.allow()
    assert first.allowed and first.probe and second.allowed and second.probe
    assert not third.allowed and third.wait >= 1
    breaker.record(first, ok=True)
    assert breaker.state() == CLOSED
    # The window was forgotten: the failures that opened it do not open it again.
    breaker.record_failure()
    assert breaker.state() == CLOSED
    # The other probe's late answer changes nothing.
    breaker.record(second, ok=False)
    assert breaker.state() == CLOSED


def test_a_failed_probe_opens_it_for_another_cooldown(breaker, settings):
    open_after_cooldown(breaker, settings)
    probe = breaker.allow()
    assert probe.probe
    breaker.record(probe, ok=False)
    assert breaker.state() == OPEN
    wait_until(lambda: breaker.state() == HALF_OPEN)
    assert breaker.allow().probe


def test_reading_the_state_takes_no_probe_and_a_cancelled_probe_frees_its_slot(breaker, settings):
    open_after_cooldown(breaker, settings)
    for _ in range(10):
        assert breaker.state() == HALF_OPEN
    first, second = breaker.allow(), breaker.allow()
    assert first.probe and second.probe and not breaker.allow().allowed
    breaker.cancel(first)
    assert breaker.allow().probe
    assert breaker.state() == HALF_OPEN


def test_every_process_shares_the_state(breaker, settings):
    for _ in range(settings.PAYEX_BREAKER_MIN_CALLS):
        breaker.record_failure()
    assert not Breaker("customer").allow().allowed
    assert Breaker("invoice").allow().allowed  # each API has a breaker of its own


def test_the_state_is_a_prometheus_gauge(breaker, settings):
    def gauge():
        return REGISTRY.get_sample_value("payex_breaker_state", {"api": "customer"})

    breaker.allow()
    assert gauge() == 0
    for _ in range(settings.PAYEX_BREAKER_MIN_CALLS):
        breaker.record_failure()
    breaker.allow()
    assert gauge() == 2


def test_without_redis_it_keeps_the_same_rules_in_the_process(breaker, settings, redis_down):
    permit = breaker.allow()
    assert permit.allowed  # Redis trouble is no outage
    for _ in range(settings.PAYEX_BREAKER_MIN_CALLS):
        breaker.record(breaker.allow(), ok=False)
    assert breaker.state() == OPEN
    assert not breaker.allow().allowed
    wait_until(lambda: breaker.state() == HALF_OPEN)
    probes = [breaker.allow() for _ in range(3)]
    assert [p.probe for p in probes] == [True, True, False]
    breaker.record(probes[0], ok=True)
    assert breaker.state() == CLOSED
    assert breaker.allow().allowed
