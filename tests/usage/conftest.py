import pytest

from tests.access.actors import link, make_user


@pytest.fixture
def big_customer(sandbox):
    return next(c for c in sandbox.customers() if c["bigUnbilledSubscription"])


@pytest.fixture
def small_customer(sandbox):
    return next(
        c
        for c in sandbox.customers()
        if c["legalEntity"] == "consumer" and c["subscriptionCount"] >= 2
    )


@pytest.fixture
def owner_of(db):
    def make(customer: dict, username: str = "owner"):
        user = make_user(username)
        link(user, customer["customerNo"], "owner", name=customer["name"])
        return user

    return make


@pytest.fixture
def api(client):
    """A logged-in API client: session auth over Django's test client."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user
