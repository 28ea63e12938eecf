"""One real stack (tests.fixtures.stack) shared by every resilience test of the session.

The database is PostgreSQL behind a cuttable proxy when it is reachable (so the
"database down" row runs on the same stack), else a SQLite file and that row is skipped.
RESILIENCE_FULL=1 (`make resilience`) holds every fault longer and repeats each cycle.
"""

import json
import os

import pytest

from tests.fixtures.stack import Stack, StackError, postgres_reachable

# The usage area's customers and owners, for the stranded-work tests.
from tests.usage.conftest import api, big_customer, owner_of, small_customer  # noqa: F401

FULL = os.environ.get("RESILIENCE_FULL", "") not in ("", "0", "false")
CYCLES = 3 if FULL else 1
# Extra seconds a fault is held, with sweeps running, before it is cleared.
HOLD_SECONDS = 8.0 if FULL else 0.0

# Fresh windows of one second: a copy read once is stale a second later, so the upstream
# rows see what users get from a stale copy, not from a fresh one.
STACK_ENV = {
    "CACHE_CUSTOMER_FRESH_SECONDS": "1",
    "CACHE_SUBSCRIPTIONS_FRESH_SECONDS": "1",
    "CACHE_INVOICES_FRESH_SECONDS": "1",
    "CACHE_INVOICE_FRESH_SECONDS": "1",
    "CACHE_RECURRING_PRODUCTS_FRESH_SECONDS": "1",
    "PAYEX_BREAKER_COOLDOWN": "5",
    # An export whose task could not be sent is sent by the recovery a second later.
    "EXPORT_SEND_GRACE": "1",
}


@pytest.fixture(scope="session")
def stack():
    why_not = postgres_reachable()
    instance = Stack(database="sqlite" if why_not else "postgres", extra_env=STACK_ENV)
    instance.postgres_missing = why_not
    instance.observed = {}
    try:
        instance.start()
    except StackError as error:
        pytest.fail(str(error), pytrace=False)
    yield instance
    report = os.environ.get("RESILIENCE_REPORT")
    if report:
        with open(report, "w") as file:
            json.dump(instance.observed, file, indent=2)
    instance.stop()
