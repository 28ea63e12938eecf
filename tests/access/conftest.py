import pytest

from tests.access.actors import link, make_agent, make_user

MINE = "7000001"
THEIRS = "7000002"


@pytest.fixture
def owner(db):
    user = make_user("olivia")
    link(user, MINE, "owner", name="Olivia Owner")
    return user


@pytest.fixture
def viewer(db):
    user = make_user("victor")
    link(user, MINE, "viewer", name="Olivia Owner")
    return user


@pytest.fixture
def stranger(db):
    user = make_user("sam")
    link(user, THEIRS, "owner", name="Sam Stranger")
    return user


@pytest.fixture
def agent(db):
    return make_agent()
