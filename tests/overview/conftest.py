"""The overview reads the customers area's demo world."""

from tests.customers.conftest import agent, anna, bertil, demo  # noqa: F401
