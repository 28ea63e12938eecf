"""The refresh lock in real Redis: a lock stranded by a refresh that can never run
(queued past its expiry: its message lost, or no worker consuming) is taken over.

No worker runs here: the queued messages stay in the broker, as when workers are down.
"""

import time

import pytest

from billing_bff import refresh
from billing_bff.redis import get_redis

IDS = {"ledger_no": "501", "customer_no": "7200001"}


@pytest.fixture
def quick_expiry(settings):
    settings.REFRESH_TASK_EXPIRES = 1
    settings.REFRESH_STALE_MARGIN = 0


def held_by() -> str | None:
    value = get_redis().get(refresh.lock_key(IDS["ledger_no"], IDS["customer_no"], "unbilled"))
    return value.decode() if value is not None else None


def test_a_queued_refresh_holds_the_lock_until_its_expiry(quick_expiry):
    first, new = refresh.queue_refresh(**IDS)
    assert new
    assert refresh.queue_refresh(**IDS) == (first, False)
    assert held_by() == first


def test_a_refresh_still_queued_past_its_expiry_is_taken_over(quick_expiry):
    stranded, _ = refresh.queue_refresh(**IDS)
    time.sleep(1.2)
    fresh, new = refresh.queue_refresh(**IDS)
    assert new is True
    assert fresh != stranded
    assert held_by() == fresh
    assert refresh.refresh_status(**IDS, task_id=fresh) == "queued"
    assert refresh.refresh_status(**IDS, task_id=stranded) == "expired"
    # The stranded task, should a worker still run it, cannot release the new lock.
    refresh.release_refresh(**IDS, resource="unbilled", task_id=stranded)
    assert held_by() == fresh


def test_a_running_refresh_is_never_taken_over(quick_expiry):
    running, _ = refresh.queue_refresh(**IDS)
    refresh.set_status(**IDS, task_id=running, status="running")
    time.sleep(1.2)
    assert refresh.queue_refresh(**IDS) == (running, False)
    assert held_by() == running
