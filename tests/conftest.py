"""Fixtures shared by the whole suite: a real Redis, the sandbox over real HTTP."""

import pytest

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.worker", "tests.fixtures.redis_server"]


@pytest.fixture(autouse=True)
def clean_redis():
    """Each test starts on an empty Redis database of the suite's own (db 15 by default)."""
    from billing_bff import activity
    from billing_bff import redis as shared_redis

    shared_redis.reset()  # a failure another test provoked is not this test's
    shared_redis.get_redis().flushdb()
    activity.forget_marks()  # the marks this process remembers are gone with it
    yield
