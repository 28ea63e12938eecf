"""Who may see what takes effect at the very next request, whatever is kept in Redis.

A real stack (gunicorn, its own Redis and database, the sandbox): the user's principal
and the overview's rendered answer are warm in Redis; each change is made by another
process (`manage.py shell`), as an administrator's would be, and the very next request
to the server shows it.
"""

from __future__ import annotations

import pytest
import requests

from tests.fixtures.stack import Stack, StackError

USER, PASSWORD, CUSTOMER = "anna", "mypages-demo", "3996668"
OVERVIEW = f"/api/v1/customers/{CUSTOMER}/overview"


@pytest.fixture(scope="module")
def stack():
    instance = Stack(database="sqlite")
    try:
        instance.start()
    except StackError as error:
        pytest.fail(str(error), pytrace=False)
    yield instance
    instance.stop()


def change(stack: Stack, code: str) -> None:
    """Run `code` in a Django shell of its own: another process than the server."""
    setup = (
        "from django.contrib.auth import get_user_model; "
        "from django.contrib.auth.models import Permission; "
        "from billing_bff.models import CustomerLink; "
        f"anna = get_user_model().objects.get(username='{USER}'); "
    )
    stack._manage("shell", "-c", setup + code)


def token(stack: Stack) -> dict:
    answer = requests.post(
        f"{stack.url}/api/v1/auth/token", json={"username": USER, "password": PASSWORD}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access']}"}


def warm(stack: Stack, headers: dict) -> requests.Response:
    """Until the overview is answered from its kept rendered bytes (twice the same)."""
    first = requests.get(stack.url + OVERVIEW, headers=headers, timeout=15)
    assert first.status_code == 200, first.text
    for _ in range(3):
        requests.get(stack.url + OVERVIEW, headers=headers, timeout=15)
    return requests.get(stack.url + OVERVIEW, headers=headers, timeout=15)


def test_each_change_of_who_may_see_what_takes_effect_at_the_next_request(stack):
    headers = token(stack)
    kept = warm(stack, headers)
    assert kept.status_code == 200
    assert kept.json()["profile"]["operations"], "an owner is offered the profile's writes"
    me = requests.get(f"{stack.url}/api/v1/me", headers=headers, timeout=10).json()
    assert [c["role"] for c in me["customers"] if c["customerNo"] == CUSTOMER] == ["owner"]

    # A changed role: the next answer is the viewer's (no write offered), not the kept one.
    change(
        stack,
        f"link = CustomerLink.objects.get(user=anna, customer_no='{CUSTOMER}'); "
        "link.role = 'viewer'; link.save()",
    )
    viewer = requests.get(stack.url + OVERVIEW, headers=headers, timeout=15)
    assert viewer.status_code == 200
    assert viewer.json()["profile"]["operations"] == []
    me = requests.get(f"{stack.url}/api/v1/me", headers=headers, timeout=10).json()
    assert [c["role"] for c in me["customers"] if c["customerNo"] == CUSTOMER] == ["viewer"]

    # A removed link: 404 at once, with the same access token.
    change(stack, f"CustomerLink.objects.get(user=anna, customer_no='{CUSTOMER}').delete()")
    gone = requests.get(stack.url + OVERVIEW, headers=headers, timeout=15)
    assert gone.status_code == 404
    me = requests.get(f"{stack.url}/api/v1/me", headers=headers, timeout=10).json()
    assert CUSTOMER not in [c["customerNo"] for c in me["customers"]]

    # Linked again as owner, warm again; then the user deactivated: 401 at once.
    change(
        stack,
        f"CustomerLink.objects.create(user=anna, ledger_no='501', "
        f"customer_no='{CUSTOMER}', role='owner', display_name='Anna')",
    )
    assert warm(stack, headers).status_code == 200
    change(stack, "anna.is_active = False; anna.save()")
    assert requests.get(stack.url + OVERVIEW, headers=headers, timeout=15).status_code == 401
    assert requests.get(f"{stack.url}/api/v1/me", headers=headers, timeout=10).status_code == 401

    # Active again, but an agent's permission is taken from a staff user: not an agent.
    change(
        stack,
        "anna.is_active = True; anna.is_staff = True; anna.save(); "
        "anna.user_permissions.add(Permission.objects.get(codename='act_as_agent'))",
    )
    assert requests.get(f"{stack.url}/api/v1/me", headers=headers, timeout=10).json()["agent"]
    change(stack, "anna.user_permissions.clear()")
    assert not requests.get(f"{stack.url}/api/v1/me", headers=headers, timeout=10).json()["agent"]


# --- sessions: the same principal, in-process -------------------------------------------
@pytest.mark.django_db
def test_a_session_user_is_read_without_a_query_and_a_new_password_ends_other_sessions(
    client, django_assert_num_queries
):
    from django.test import Client

    from tests.access.actors import PASSWORD, link, make_user
    from tests.access.conftest import MINE

    user = make_user("sofia")
    link(user, MINE, "owner", name="Sofia")
    other = Client()
    for browser in (client, other):
        assert (
            browser.post("/login/", {"username": "sofia", "password": PASSWORD}).status_code == 302
        )
    client.get("/api/v1/me")  # the principal is kept
    with django_assert_num_queries(0):  # no user, link or session row read
        assert client.get("/api/v1/me").json()["username"] == "sofia"

    user.set_password("a new and long passphrase")
    user.save()
    assert other.get("/api/v1/me").status_code == 401  # its session's hash is the old one

    user.is_active = False
    user.save()
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_a_snapshot_never_matches_again_once_its_generation_is_gone():
    """A generation is a fresh token at every bump: after the key expired (or Redis
    evicted it), the next bump can never bring an old snapshot's stamp back."""
    from billing_bff import principal
    from billing_bff.models import CustomerLink
    from billing_bff.redis import get_redis
    from tests.access.actors import link, make_user
    from tests.access.conftest import MINE

    user = make_user("gustav")
    link(user, MINE, "owner")
    assert principal.load(user.pk).role_for(MINE) == "owner"  # kept, stamped with a token
    stamped = get_redis().get(principal._gen_key(user.pk))
    get_redis().delete(principal._gen_key(user.pk))  # expired
    # A change whose bump happens now: without a fresh token, a counter could land on
    # the old stamp again and bring back the snapshot of before the change.
    CustomerLink.objects.filter(user=user).update(role="viewer")
    for _ in range(2):  # as many bumps as the user had had (a counter: the old stamp)
        principal._bump_now([user.pk])
        assert get_redis().get(principal._gen_key(user.pk)) != stamped
    assert principal.load(user.pk).role_for(MINE) == "viewer"
