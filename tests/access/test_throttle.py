"""Failed logins are limited per (username, address) pair and per address, and slowed per
username by a growing delay, in Redis, for the site, the mobile token and the admin."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import Client

from billing_bff import throttle
from billing_bff.redis import get_redis
from tests.access.actors import PASSWORD, make_agent, make_user

TOKEN = "/api/v1/auth/token"
ROOT = Path(__file__).resolve().parents[2]


def api_login(client, username, password, address="198.51.100.1", **extra):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        **extra,
    )


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAIL_LIMIT_PAIR = 5
    settings.LOGIN_FAIL_LIMIT_ADDRESS = 20
    settings.LOGIN_FAIL_WINDOW = 900
    settings.LOGIN_DELAY_AFTER = 5
    settings.LOGIN_DELAY_BASE = 1
    settings.LOGIN_DELAY_MAX = 60
    settings.LOGIN_KNOWN_ADDRESS_DAYS = 30
    settings.LOGIN_TRUSTED_PROXIES = 0
    return settings


def refused(response, *, at_most: int = 900) -> int:
    """Assert a 429 with a Retry-After within bounds; return the Retry-After."""
    assert response.status_code == 429, response.status_code
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= at_most
    return retry_after


@pytest.mark.django_db
def test_a_pair_is_refused_after_its_failures_with_a_problem(client, owner, limits):
    for _ in range(5):
        assert api_login(client, "olivia", "wrong", address="198.51.100.1").status_code == 401
    response = api_login(client, "olivia", PASSWORD, address="198.51.100.1")
    refused(response)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 429
    assert "access" not in body
    # Other users at the same address are not affected.
    make_user("bob")
    assert api_login(client, "bob", PASSWORD, address="198.51.100.1").status_code == 200


@pytest.mark.django_db
def test_an_attacker_cannot_keep_the_owner_out_of_a_known_address(client, owner, limits):
    owners_address, attackers = "203.0.113.9", "198.51.100.66"
    assert api_login(client, "olivia", PASSWORD, address=owners_address).status_code == 200
    answers = [api_login(client, "olivia", "wrong", address=attackers) for _ in range(30)]
    # Five guesses are checked; then the attacker's address is refused for her...
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 25
    refused(api_login(client, "olivia", PASSWORD, address=attackers))
    # ...and guesses from many more addresses only slow her username down.
    for i in range(10):
        api_login(client, "olivia", "wrong", address=f"192.0.2.{i}")
    # The owner, at an address she logged in from, is never slowed or refused.
    assert api_login(client, "olivia", PASSWORD, address=owners_address).status_code == 200
    browser = Client(REMOTE_ADDR=owners_address)
    assert browser.post("/login/", {"username": "olivia", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_from_a_new_address_the_owner_waits_at_most_the_delay(client, owner, limits):
    for _ in range(30):
        api_login(client, "olivia", "wrong", address="198.51.100.66")
    # Only five guesses were checked, so the username's delay is one second.
    response = api_login(client, "olivia", PASSWORD, address="203.0.113.10")
    if response.status_code == 429:
        time.sleep(refused(response, at_most=1) + 0.1)
        response = api_login(client, "olivia", PASSWORD, address="203.0.113.10")
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_usernames_delay_grows_with_its_failures_and_stops_at_its_cap(client, owner, limits):
    limits.LOGIN_DELAY_MAX = 2
    addresses = (f"192.0.2.{i}" for i in range(1, 200))
    # Guesses from many addresses: no pair reaches its limit.
    for _ in range(5):
        assert api_login(client, "olivia", "wrong", address=next(addresses)).status_code == 401
    waits = []
    for _ in range(4):
        response = api_login(client, "olivia", PASSWORD, address=next(addresses))
        assert response["Content-Type"] == "application/problem+json"
        waits.append(refused(response, at_most=2))
        time.sleep(waits[-1] + 0.1)
        # After the wait one attempt is checked; its failure makes the next wait longer.
        assert api_login(client, "olivia", "wrong", address=next(addresses)).status_code == 401
    assert waits == [1, 2, 2, 2]
    # Another username is not slowed.
    make_user("bob")
    assert api_login(client, "bob", PASSWORD, address=next(addresses)).status_code == 200


def test_the_delay_doubles_from_one_second_to_a_minute(settings):
    settings.LOGIN_DELAY_AFTER = 5
    settings.LOGIN_DELAY_BASE = 1
    settings.LOGIN_DELAY_MAX = 60
    delays = [throttle.delay_seconds(n) for n in range(0, 14)]
    assert delays == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert throttle.delay_seconds(10**6) == 60


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_cannot_slip_through_a_delay(live_server, limits):
    from concurrent.futures import ThreadPoolExecutor

    make_user("olivia")
    for i in range(5):
        throttle.record_login_failure(username="olivia", address=f"192.0.2.{i}")
    time.sleep(1.1)  # the first wait has passed: one attempt may now go ahead
    url = f"{live_server.url}{TOKEN}"

    def attempt(_):
        return requests.post(
            url, json={"username": "olivia", "password": "wrong"}, timeout=10
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [401] + [429] * 7


@pytest.mark.django_db
def test_an_address_is_locked_after_its_failures_whatever_the_username(client, owner, limits):
    for i in range(20):
        assert api_login(client, f"guess{i}", "wrong").status_code == 401
    assert api_login(client, "olivia", PASSWORD).status_code == 429
    assert api_login(client, "olivia", PASSWORD, address="198.51.100.2").status_code == 200


@pytest.mark.django_db
def test_unknown_and_known_usernames_are_locked_alike(client, owner, limits):
    for _ in range(5):
        api_login(client, "olivia", "wrong", address="198.51.100.7")
        api_login(client, "nobody-by-that-name", "wrong", address="198.51.100.7")
    known = api_login(client, "olivia", "wrong", address="198.51.100.7")
    unknown = api_login(client, "nobody-by-that-name", "wrong", address="198.51.100.7")
    assert known.status_code == unknown.status_code == 429
    known_body, unknown_body = known.json(), unknown.json()
    known_body.pop("instance")
    unknown_body.pop("instance")
    assert known_body == unknown_body


@pytest.mark.django_db
def test_a_success_clears_the_pairs_count(client, owner, limits):
    for _ in range(4):
        api_login(client, "olivia", "wrong")
    assert api_login(client, "olivia", PASSWORD).status_code == 200
    for _ in range(4):
        api_login(client, "olivia", "wrong")
    assert api_login(client, "olivia", PASSWORD).status_code == 200
    # The pair starts from zero after a success: five more failures, then refused.
    for _ in range(5):
        assert api_login(client, "olivia", "wrong").status_code == 401
    refused(api_login(client, "olivia", PASSWORD))


@pytest.mark.django_db
def test_a_success_does_not_clear_the_addresss_count(client, owner, limits):
    for i in range(19):
        api_login(client, f"guess{i}", "wrong")
    assert api_login(client, "olivia", PASSWORD).status_code == 200
    api_login(client, "guess-last", "wrong")
    refused(api_login(client, "olivia", PASSWORD))


@pytest.mark.django_db
def test_usernames_are_counted_regardless_of_case(client, owner, limits):
    for name in ("olivia", "OLIVIA", "Olivia", "olivia ", "oLivia"):
        api_login(client, name, "wrong", address="198.51.100.1")
    assert api_login(client, "olivia", PASSWORD, address="198.51.100.1").status_code == 429


@pytest.mark.django_db
def test_the_browser_login_is_slowed_the_same_way(owner, limits):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        response = browser.post("/login/", {"username": "olivia", "password": "wrong"})
        assert response.status_code == 200
    response = browser.post("/login/", {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in browser.session
    # The mobile endpoint shares the count: it is the same username from the same address.
    assert api_login(Client(), "olivia", PASSWORD, address="127.0.0.1").status_code == 429


def admin_login(browser, password, username="service", **data):
    return browser.post("/admin/login/", {"username": username, "password": password, **data})


@pytest.mark.django_db
def test_the_admin_login_is_limited(limits):
    make_agent("service")
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.66")
    statuses = [admin_login(attacker, f"guess{i}").status_code for i in range(30)]
    assert statuses == [200] * 5 + [429] * 25
    response = admin_login(attacker, PASSWORD)
    refused(response)
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert attacker.get("/admin/").status_code == 302  # still sent to the login
    # The admin shares the count with the site and the token: the same pair.
    assert api_login(Client(), "service", PASSWORD, address="198.51.100.66").status_code == 429
    site = attacker.post("/login/", {"username": "service", "password": PASSWORD})
    assert site.status_code == 429


@pytest.mark.django_db
def test_the_admin_login_still_logs_in_and_clears_the_pair(limits):
    make_agent("service")
    browser = Client(REMOTE_ADDR="198.51.100.67")
    assert [admin_login(browser, "x").status_code for _ in range(4)] == [200] * 4
    assert admin_login(browser, PASSWORD, next="/admin/").status_code == 302
    assert browser.get("/admin/").status_code == 200
    browser.logout()
    assert [admin_login(browser, "x").status_code for _ in range(4)] == [200] * 4
    assert admin_login(browser, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_unknown_address_has_no_address_limit(client, owner, limits):
    for i in range(25):
        assert api_login(client, f"guess{i}", "wrong", address="").status_code == 401
    assert api_login(client, "olivia", PASSWORD, address="").status_code == 200


@pytest.mark.django_db
def test_forwarded_for_is_ignored_unless_proxies_are_trusted(client, owner, limits):
    for i in range(20):
        api_login(client, f"guess{i}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    # A client cannot escape its address's count by writing X-Forwarded-For.
    response = api_login(client, "olivia", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, owner, limits):
    limits.LOGIN_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    for i in range(20):
        api_login(
            client,
            f"guess{i}",
            "wrong",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 192.0.2.66",
        )
    # Behind the proxy, 192.0.2.66 is locked out, whatever it writes before its address...
    response = api_login(
        client, "olivia", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="8.8.8.8, 192.0.2.66"
    )
    assert response.status_code == 429
    # ...and another client behind the same proxy is not.
    response = api_login(
        client, "olivia", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.67"
    )
    assert response.status_code == 200


def test_the_counters_are_in_redis_and_expire(limits):
    for _ in range(5):
        throttle.record_login_failure(username="olivia", address="198.51.100.1")
    throttle.record_login_success(username="olivia", address="198.51.100.2")
    keys = sorted(k.decode() for k in get_redis().keys("*login-*"))
    # pair, address and username counts, the username's wait, a known pair
    assert len(keys) == 5
    assert all("olivia" not in k and "198.51.100" not in k for k in keys)
    assert all(0 < get_redis().ttl(k) <= 30 * 24 * 3600 for k in keys)


# --- two processes ------------------------------------------------------------------------

_SCRIPT = """
import json, os, sys
import django
django.setup()
from billing_bff import throttle
action, username, address, times = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if action == "fail":
    for _ in range(times):
        throttle.record_login_failure(username=username, address=address)
    print(json.dumps({"pid": os.getpid()}))
else:
    try:
        throttle.ensure_login_allowed(username=username, address=address)
    except throttle.LoginThrottled as exc:
        print(json.dumps({"pid": os.getpid(), "throttled": True, "retry_after": exc.retry_after}))
    else:
        print(json.dumps({"pid": os.getpid(), "throttled": False}))
"""


def other_process(*args: str) -> dict:
    """Run the throttle code in a second Python process with the same settings and Redis."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["pid"] != os.getpid()
    return answer


@pytest.mark.django_db(transaction=True)
def test_the_counts_are_shared_between_processes(live_server, limits):
    make_user("anna")
    make_user("bertil")
    url = f"{live_server.url}{TOKEN}"

    # Failures counted by another process lock the pair in this one's server...
    other_process("fail", "anna", "127.0.0.1", "5")
    response = requests.post(url, json={"username": "anna", "password": PASSWORD}, timeout=10)
    assert response.status_code == 429
    assert response.headers["Content-Type"] == "application/problem+json"

    # ...and failures counted by this one's server lock it in the other process.
    assert other_process("check", "bertil", "127.0.0.1", "0")["throttled"] is False
    for _ in range(5):
        answer = requests.post(url, json={"username": "bertil", "password": "wrong"}, timeout=10)
        assert answer.status_code == 401
    decision = other_process("check", "bertil", "127.0.0.1", "0")
    assert decision["throttled"] is True
    assert 0 < decision["retry_after"] <= 900
