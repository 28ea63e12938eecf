"""Mobile logins: token pairs, rotation, family revocation on reuse, logout, /me."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from billing_bff.models import TokenFamily
from tests.access.actors import PASSWORD, bearer, link
from tests.access.conftest import MINE

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"


def login(client, username="olivia", password=PASSWORD, **extra):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, content_type="application/json")


def me(client, access):
    return client.get(ME, HTTP_AUTHORIZATION=f"Bearer {access}")


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    return body


def test_a_login_gives_a_pair_that_opens_me(client, owner):
    response = login(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert me(client, pair["access"]).json() == {
        "username": "olivia",
        "customers": [{"customerNo": MINE, "name": "Olivia Owner", "role": "owner"}],
        "agent": False,
    }


def test_lifetimes_are_short_for_access_and_long_for_refresh():
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() <= 15 * 60
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].days >= 1


def test_me_lists_every_customer_with_the_role_there(client, owner):
    link(owner, "7000009", "viewer", name="Another Household")
    customers = me(client, login(client).json()["access"]).json()["customers"]
    assert customers == [
        {"customerNo": "7000009", "name": "Another Household", "role": "viewer"},
        {"customerNo": MINE, "name": "Olivia Owner", "role": "owner"},
    ]


def test_me_tells_an_agent_so(client, agent):
    assert client.get(ME, **bearer(agent)).json() == {
        "username": "agent",
        "customers": [],
        "agent": True,
    }


def test_me_needs_a_valid_access_token(client, owner):
    assert_problem(client.get(ME), 401)
    assert_problem(client.get(ME, HTTP_AUTHORIZATION="Bearer not-a-token"), 401)
    refresh_token = login(client).json()["refresh"]
    assert_problem(client.get(ME, HTTP_AUTHORIZATION=f"Bearer {refresh_token}"), 401)


def test_an_access_token_verified_before_is_refused_once_it_expires(client, owner):
    """A token's signature is verified once per process; its expiry on every use."""
    token = AccessToken.for_user(owner)
    leeway = token.get_token_backend().get_leeway().total_seconds()
    # Expired 2 s before the leeway ends: good now, refused once those 2 s have passed.
    token.set_exp(lifetime=timedelta(seconds=-(leeway - 2)))
    assert me(client, str(token)).status_code == 200
    assert me(client, str(token)).status_code == 200  # the verified one, again
    time.sleep(2.2)
    assert_problem(me(client, str(token)), 401)
    tampered = str(token)[:-2] + ("AA" if not str(token).endswith("AA") else "BB")
    assert_problem(me(client, tampered), 401)


def test_a_refresh_rotates_and_the_old_refresh_token_is_spent(client, owner):
    first = login(client).json()
    second = refresh(client, first["refresh"])
    assert second.status_code == 200
    assert second["Cache-Control"] == "no-store"
    second = second.json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert me(client, second["access"]).status_code == 200
    assert refresh(client, second["refresh"]).status_code == 200


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(client, owner):
    first = login(client).json()
    second = refresh(client, first["refresh"]).json()
    third = refresh(client, second["refresh"]).json()
    other_login = login(client).json()  # another device: a family of its own

    # Someone presents the spent `first` again: a copy exists somewhere.
    assert_problem(refresh(client, first["refresh"]), 401)
    # The newest refresh token of that login is refused from now on, and so is every older one.
    assert_problem(refresh(client, third["refresh"]), 401)
    assert_problem(refresh(client, second["refresh"]), 401)
    assert TokenFamily.objects.get(revoked_reason="reuse").user == owner
    # The other device's login is untouched.
    assert refresh(client, other_login["refresh"]).status_code == 200


def test_a_refresh_token_of_a_removed_user_is_refused(client, owner):
    pair = login(client).json()
    owner.is_active = False
    owner.save()
    assert_problem(refresh(client, pair["refresh"]), 401)


@pytest.mark.parametrize("junk", ["", "x", "a.b.c"])
def test_junk_refresh_tokens_are_refused_as_problems(client, junk):
    response = refresh(client, junk)
    assert response.status_code in (400, 401)
    assert response["Content-Type"] == "application/problem+json"


def test_an_access_token_is_not_a_refresh_token(client, owner):
    assert_problem(refresh(client, login(client).json()["access"]), 401)


def test_logout_revokes_the_refresh_token_and_its_family(client, owner):
    first = login(client).json()
    second = refresh(client, first["refresh"]).json()
    response = client.post(LOGOUT, {"refresh": second["refresh"]}, content_type="application/json")
    assert response.status_code == 204
    assert_problem(refresh(client, second["refresh"]), 401)
    # Logging out twice is fine; so is logging out with a token the app failed to replace.
    for token in (second["refresh"], first["refresh"]):
        response = client.post(LOGOUT, {"refresh": token}, content_type="application/json")
        assert response.status_code == 204


def test_logout_needs_a_genuine_refresh_token(client, owner):
    assert_problem(client.post(LOGOUT, {}, content_type="application/json"), 400)
    assert_problem(client.post(LOGOUT, {"refresh": "forged"}, content_type="application/json"), 401)
    access = login(client).json()["access"]
    assert_problem(client.post(LOGOUT, {"refresh": access}, content_type="application/json"), 401)


def test_a_wrong_password_and_an_unknown_user_answer_the_same(client, owner):
    wrong = assert_problem(login(client, password="wrong"), 401)
    unknown = assert_problem(login(client, username="nobody-by-that-name"), 401)
    wrong.pop("instance")
    unknown.pop("instance")
    assert wrong == unknown


def test_missing_credentials_are_a_validation_problem(client):
    body = assert_problem(client.post(TOKEN, {}, content_type="application/json"), 400)
    assert set(body["errors"]) == {"username", "password"}
