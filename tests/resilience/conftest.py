"""Resilience tests read the usage area's customers and owners."""

from tests.usage.conftest import api, big_customer, owner_of, small_customer  # noqa: F401
