from tests.customers.conftest import agent, anna, bertil, demo  # noqa: F401 - shared fixtures
