"""The bulkhead per API: against a hanging sandbox over real HTTP, and alone."""

import threading
import time

import pytest
from prometheus_client import REGISTRY

from billing_bff import caching
from billing_bff.upstream import bulkhead, errors
from billing_bff.upstream.breaker import CLOSED, Breaker
from billing_bff.upstream.client import PayExClient
from tests.fixtures.sandbox import running_sandbox

CUSTOMER = "GET /billing/customer/v1/{ownerNo}/customers/{customerNo}"
HANG_SECONDS = 3


@pytest.fixture
def limits(settings):
    settings.PAYEX_CONNECT_TIMEOUT = 3.05
    settings.PAYEX_READ_TIMEOUT = 10.0
    settings.PAYEX_RETRY_BACKOFF = 0.01
    settings.PAYEX_MAX_CONCURRENT_CALLS = 2
    settings.PAYEX_BULKHEAD_WAIT = 0.2
    for api in ("customer", "invoice", "usage"):
        Breaker(api).reset()
    return settings


@pytest.fixture
def hanging():
    """A sandbox of its own whose every answer hangs HANG_SECONDS (the shared one's 30 s
    hangs would keep its threads busy long after the test)."""
    with running_sandbox(SANDBOX_HANG_SECONDS=str(HANG_SECONDS)) as extra:
        yield extra


def rejections(api: str) -> float:
    return REGISTRY.get_sample_value("payex_bulkhead_rejections_total", {"api": api}) or 0


def test_a_hanging_upstream_holds_no_more_threads_than_the_bulkhead(limits, hanging, sandbox):
    slow = PayExClient(base_url=hanging.url, owner_no=hanging.owner_no, token=hanging.token)
    customer_no = hanging.customers()[0]["customerNo"]
    # A fully cached read, warmed while the upstream is healthy.
    scope = caching.Scope(ledger_no=hanging.owner_no, customer_no=customer_no, generation=0)
    warm = caching.read_through(
        scope=scope, kind="customer", load=lambda: slow.get_customer(customer_no=customer_no)
    )
    assert warm.source == "upstream"
    hanging.reset_stats()
    hanging.faults(hangRate=1.0)

    held = [
        threading.Thread(target=slow.get_customer, kwargs={"customer_no": customer_no})
        for _ in range(limits.PAYEX_MAX_CONCURRENT_CALLS)
    ]
    for thread in held:
        thread.start()
    deadline = time.monotonic() + 5
    while hanging.route_count(CUSTOMER) < len(held):
        assert time.monotonic() < deadline, "the held calls never reached the sandbox"
        time.sleep(0.02)

    before = rejections("customer")
    outcomes = []

    def extra_call():
        started = time.monotonic()
        try:
            slow.get_customer(customer_no=customer_no)
        except errors.UpstreamError as error:
            outcomes.append((type(error), time.monotonic() - started))

    extra = [threading.Thread(target=extra_call) for _ in range(6)]
    for thread in extra:
        thread.start()
    for thread in extra:
        thread.join(timeout=5)
    # Every extra call failed fast (the read timeout is 10 s), as a 503, untouched upstream.
    assert len(outcomes) == 6
    assert all(kind is errors.BulkheadFull for kind, _ in outcomes)
    assert all(seconds < 2 for _, seconds in outcomes)
    assert errors.BulkheadFull(api="customer").status_code == 503
    assert hanging.route_count(CUSTOMER) == len(held)
    assert rejections("customer") == before + 6
    # A full bulkhead says nothing about the upstream: the breaker stays closed.
    assert Breaker("customer").state() == CLOSED

    # Meanwhile a cached read is served, and the other APIs have bulkheads of their own.
    started = time.monotonic()
    cached = caching.read_through(
        scope=scope, kind="customer", load=lambda: slow.get_customer(customer_no=customer_no)
    )
    assert cached.source == "cache" and cached.data == warm.data
    healthy = PayExClient(base_url=sandbox.url)
    assert healthy.list_invoices(customer_no=sandbox.customers()[0]["customerNo"])["invoices"]
    assert time.monotonic() - started < 2

    for thread in held:
        thread.join(timeout=HANG_SECONDS + 5)
    hanging.faults(hangRate=0.0)
    # The slots are free again once the hanging calls are over.
    assert slow.get_customer(customer_no=customer_no)["customerNo"] == customer_no


def test_a_slot_is_given_back_whatever_the_call_ends_in(limits):
    for _ in range(5):
        with pytest.raises(RuntimeError), bulkhead.slot("usage"):
            raise RuntimeError("the call failed")
    with bulkhead.slot("usage"), bulkhead.slot("usage"):
        started = time.monotonic()
        with pytest.raises(errors.BulkheadFull), bulkhead.slot("usage"):
            pass
        assert time.monotonic() - started < 1
    with bulkhead.slot("usage"):
        pass
