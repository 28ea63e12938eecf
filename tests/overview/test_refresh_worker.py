"""The refresh tasks' Celery wiring, with a real worker consuming the real Redis broker."""

import time

from billing_bff import caching
from billing_bff import refresh as services
from billing_bff.activity import mark_active
from billing_bff.redis import get_redis
from overview.tasks import refresh_active_customers
from tests.fixtures.worker import running_worker, wait_for

SUMMARY = "GET /billing/usage/v1/{ownerNo}/customers/{customerNo}"


def cached_summary(customer_no):
    scope = caching.scope_for(ledger_no="501", customer_no=customer_no)
    return get_redis().exists(scope.key("unbilled-usage", "summary"))


def small_customers(sandbox, n):
    return [
        c["customerNo"]
        for c in sandbox.customers()
        if c["legalEntity"] == "consumer" and not c["bigUnbilledSubscription"]
    ][:n]


def test_the_scheduled_refresh_touches_active_customers_only(worker, sandbox):
    active, idle = small_customers(sandbox, 2)
    mark_active(get_redis(), ledger_no="501", customer_no=active)
    refresh_active_customers.delay()
    assert wait_for(lambda: cached_summary(active))
    assert wait_for(lambda: sandbox.route_count(SUMMARY) == 1)
    time.sleep(0.5)
    assert not cached_summary(idle)
    assert sandbox.route_count(SUMMARY) == 1


def test_a_duplicate_refresh_is_skipped(worker, sandbox):
    (customer,) = small_customers(sandbox, 1)
    sandbox.faults(latencyMs=300)  # keep the first refresh running while the second is asked
    first_id, first_new = services.queue_refresh(ledger_no="501", customer_no=customer)
    second_id, second_new = services.queue_refresh(ledger_no="501", customer_no=customer)
    assert (first_new, second_new) == (True, False)
    assert second_id == first_id
    assert wait_for(
        lambda: (
            services.refresh_status(ledger_no="501", customer_no=customer, task_id=first_id)
            == "done"
        )
    )
    assert sandbox.route_count(SUMMARY) == 1
    # Finished: the lock is released and a new refresh may be queued.
    assert services.queue_refresh(ledger_no="501", customer_no=customer)[1] is True


def test_a_refresh_that_expired_in_the_queue_is_reported_and_frees_its_lock(sandbox, settings):
    (customer,) = small_customers(sandbox, 1)
    ids = {"ledger_no": "501", "customer_no": customer}
    lock = services.lock_key("501", customer, "unbilled")
    settings.REFRESH_TASK_EXPIRES = 1
    task_id, queued = services.queue_refresh(**ids)
    assert queued
    time.sleep(1.5)  # past its expiry, and no worker consuming yet
    assert services.refresh_status(**ids, task_id=task_id) == "queued"
    settings.REFRESH_TASK_EXPIRES = 300
    with running_worker():
        assert wait_for(lambda: services.refresh_status(**ids, task_id=task_id) == "expired")
        # Released by the worker's discarding of the message, not taken over by a request.
        assert wait_for(lambda: get_redis().get(lock) is None)
        assert sandbox.route_count(SUMMARY) == 0
        new_id, new = services.queue_refresh(**ids)
        assert new is True
        assert new_id != task_id
        assert wait_for(lambda: services.refresh_status(**ids, task_id=new_id) == "done")
    assert sandbox.route_count(SUMMARY) == 1
