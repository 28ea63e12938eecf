"""The cache helper over a real Redis: windows, single flight, invalidation, stale-if-error."""

import dataclasses
import threading
import time

import pytest

from billing_bff import caching
from billing_bff import redis as shared_redis
from billing_bff.upstream import errors


@pytest.fixture
def windows(settings):
    settings.CACHE_WINDOWS = {**settings.CACHE_WINDOWS, "customer": (60, 600)}
    return settings


def scope(customer_no="1234567"):
    return caching.scope_for(ledger_no="501", customer_no=customer_no)


class Loader:
    def __init__(self, value=None, delay=0.0, fail=None):
        self.calls = 0
        self.value = value or {"name": "Anna"}
        self.delay = delay
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
        time.sleep(self.delay)
        if self.fail:
            raise self.fail
        return self.value


def test_a_cold_read_loads_once_then_serves_from_redis(windows):
    load = Loader()
    first = caching.read_through(scope=scope(), kind="customer", load=load)
    second = caching.read_through(scope=scope(), kind="customer", load=load)
    assert first.data == second.data == {"name": "Anna"}
    assert (first.source, second.source) == ("upstream", "cache")
    assert first.meta["stale"] is False and second.meta["stale"] is False
    assert load.calls == 1


def test_fifty_concurrent_cold_reads_make_one_load(windows):
    load = Loader(delay=0.3)
    results = []

    def read():
        results.append(caching.read_through(scope=scope(), kind="customer", load=load))

    threads = [threading.Thread(target=read) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert load.calls == 1
    assert len(results) == 50
    assert all(result.data == {"name": "Anna"} for result in results)


def test_customers_never_share_a_key(windows):
    caching.read_through(scope=scope("1111111"), kind="customer", load=Loader({"name": "A"}))
    other = caching.read_through(
        scope=scope("2222222"), kind="customer", load=Loader({"name": "B"})
    )
    assert other.data == {"name": "B"}


def test_invalidation_makes_the_next_read_load_again(windows):
    load = Loader()
    caching.read_through(scope=scope(), kind="customer", load=load)
    caching.invalidate_customer(ledger_no="501", customer_no="1234567")
    again = caching.read_through(scope=scope(), kind="customer", load=load)
    assert again.source == "upstream"
    assert load.calls == 2


def test_a_stale_copy_is_served_at_once_and_one_refresh_queued(windows):
    s = scope()
    caching.store(
        s.key("customer"),
        {"name": "Old"},
        windows=caching.freshness("customer"),
        as_of=time.time() - 120,
    )
    queued = []
    load = Loader()
    answer = caching.read_through(
        scope=s, kind="customer", load=load, queue_refresh=lambda: queued.append(1)
    )
    assert answer.data == {"name": "Old"}
    assert answer.meta["stale"] is True
    assert queued == [1]
    assert load.calls == 0


def test_an_old_copy_is_served_stale_when_the_upstream_fails(windows):
    s = scope()
    caching.store(
        s.key("customer"),
        {"name": "Old"},
        windows=caching.freshness("customer"),
        as_of=time.time() - 3600,
    )
    load = Loader(fail=errors.UpstreamUnavailable(api="customer"))
    answer = caching.read_through(scope=s, kind="customer", load=load)
    assert answer.data == {"name": "Old"}
    assert answer.meta["stale"] is True
    assert load.calls == 1


def test_a_failure_without_any_copy_is_the_typed_error(windows):
    load = Loader(fail=errors.UpstreamTimeout(api="customer"))
    with pytest.raises(errors.UpstreamTimeout):
        caching.read_through(scope=scope(), kind="customer", load=load)


def test_not_found_is_never_masked_by_an_old_copy(windows):
    s = scope()
    caching.store(
        s.key("customer"),
        {"name": "Old"},
        windows=caching.freshness("customer"),
        as_of=time.time() - 3600,
    )
    with pytest.raises(errors.UpstreamNotFound):
        caching.read_through(
            scope=s, kind="customer", load=Loader(fail=errors.UpstreamNotFound(api="customer"))
        )


def test_cache_only_serves_what_redis_holds_and_refuses_the_rest(windows):
    load = Loader()
    with pytest.raises(caching.NotCached):
        caching.read_through(scope=scope(), kind="customer", load=load, mode=caching.CACHE_ONLY)
    assert load.calls == 0
    caching.read_through(scope=scope(), kind="customer", load=load)
    warm = caching.read_through(scope=scope(), kind="customer", load=load, mode=caching.CACHE_ONLY)
    assert warm.data == {"name": "Anna"} and load.calls == 1


def test_a_request_reads_the_generation_once_and_its_own_write_moves_it(windows):
    from billing_bff.access import CustomerAccess

    access = caching.enter(
        CustomerAccess(
            user=None, ledger_no="501", customer_no="1234567", role="owner", channel="api"
        )
    )
    first = dataclasses.replace(caching.scope_of(access))
    # Someone else's write during this request: this request keeps its one snapshot.
    caching.invalidate_customer(ledger_no="501", customer_no="1234567")
    assert caching.scope_of(access) == first
    # Its own write: the request's later reads use the new generation.
    caching.invalidate(access)
    assert caching.scope_of(access).generation == first.generation + 2
    assert caching.scope_of(access) == scope()  # what a new request would read


def access_of(customer_no="1234567"):
    from billing_bff.access import CustomerAccess

    return CustomerAccess(
        user=None, ledger_no="501", customer_no=customer_no, role="owner", channel="api"
    )


def test_entering_marks_the_customer_active_and_fixes_the_scope(windows):
    from billing_bff.activity import active_customers

    caching.invalidate_customer(ledger_no="501", customer_no="1234567")
    access = caching.enter(access_of())
    assert ("501", "1234567") in active_customers(within_seconds=60)
    assert access.scope == scope()
    caching.invalidate_customer(ledger_no="501", customer_no="1234567")
    assert caching.scope_of(access).generation == scope().generation - 1


def test_entering_without_redis_fails_nothing(windows, monkeypatch):
    """Redis down at the start of a request: the request goes on with an offline scope,
    whose reads go to the upstream, uncached."""
    import redis

    def down(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(redis.client.Pipeline, "execute", down)
    access = caching.enter(access_of())
    assert access.scope.offline
    load = Loader()
    first = caching.read_through(scope=caching.scope_of(access), kind="customer", load=load)
    assert (first.data, first.source, first.stale) == ({"name": "Anna"}, "upstream", False)
    # Nothing was kept: Redis was not asked to store what it could not answer for.
    shared_redis.reset()
    assert caching.get_redis().get(scope().key("customer")) is None


def test_prefetched_copies_serve_the_next_read_once(windows):
    load, other = Loader(), Loader(value={"name": "Bo"})
    caching.read_through(scope=scope(), kind="customer", load=load)  # warm
    access = caching.enter(access_of())
    caching.prefetch(
        access, [caching.Document("customer"), caching.Document("subscriptions", ("list",))]
    )
    prefetched = caching.scope_of(access).prefetched
    assert len(prefetched) == 2 and None in prefetched.values()
    # Redis changes after the prefetch: the first read still takes the prefetched copy ...
    caching.get_redis().delete(scope().key("customer"))
    first = caching.read_through(scope=caching.scope_of(access), kind="customer", load=load)
    assert (first.data, first.source, load.calls) == ({"name": "Anna"}, "cache", 1)
    # ... and only once: the next read asks Redis again, finds nothing and loads.
    second = caching.read_through(scope=caching.scope_of(access), kind="customer", load=load)
    assert (second.source, load.calls) == ("upstream", 2)
    # A document that was not cached when prefetched is loaded as any cold read.
    subs = caching.read_through(
        scope=caching.scope_of(access), kind="subscriptions", parts=("list",), load=other
    )
    assert (subs.data, subs.source, other.calls) == ({"name": "Bo"}, "upstream", 1)
    assert caching.scope_of(access).prefetched == {}
