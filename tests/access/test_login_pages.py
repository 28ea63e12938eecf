"""Browser login: Django's views with our templates, CSRF, rotation, the home page."""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.test import Client

from billing_bff.redis import get_redis
from tests.access.actors import PASSWORD, link
from tests.access.conftest import MINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """A client that enforces CSRF like a real browser session does."""
    return Client(enforce_csrf_checks=True)


def csrf(browser) -> str:
    browser.get("/login/")
    return browser.cookies["csrftoken"].value


def log_in(browser, username="olivia", password=PASSWORD, **extra):
    token = csrf(browser)
    return browser.post(
        "/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        **extra,
    )


def test_the_login_page_is_an_accessible_form(browser):
    response = browser.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html


def test_the_page_follows_the_browsers_language(browser):
    html = browser.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html


def test_a_login_without_the_csrf_token_is_refused(browser, owner):
    response = browser.post("/login/", {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 403


def test_a_login_leads_home_and_rotates_the_session_key(browser, owner):
    token = csrf(browser)
    # An anonymous session that an attacker could have planted before the login.
    session = SessionStore()
    session["planted"] = True
    session.create()
    browser.cookies["sessionid"] = session.session_key
    before = session.session_key

    response = browser.post(
        "/login/", {"username": "olivia", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    after = browser.cookies["sessionid"].value
    assert after != before
    assert not SessionStore().exists(before)
    assert browser.get("/").status_code == 200


def test_a_failed_login_says_the_same_for_unknown_users_and_wrong_passwords(browser, owner):
    wrong = log_in(browser, password="wrong")
    unknown = log_in(browser, username="nobody-by-that-name", password="wrong")
    assert wrong.status_code == unknown.status_code == 200

    def error(response):
        return str(response.context["form"].non_field_errors())

    assert error(wrong) == error(unknown) != ""
    assert "sessionid" not in browser.cookies or not browser.cookies["sessionid"].value


def test_sessions_outlive_the_cache_and_the_process(browser, owner):
    log_in(browser)
    # cached_db: losing Redis (a restart, another process's empty cache) loses nothing.
    get_redis().flushdb()
    assert browser.get("/").status_code == 200
    other_process = Client()
    other_process.cookies["sessionid"] = browser.cookies["sessionid"].value
    assert other_process.get("/").status_code == 200


def test_logout_is_post_only_and_csrf_protected(browser, owner):
    log_in(browser)
    assert browser.get("/logout/").status_code == 405
    assert browser.post("/logout/").status_code == 403
    assert browser.get("/").status_code == 200  # still logged in
    token = browser.cookies["csrftoken"].value
    response = browser.post("/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert browser.get("/")["Location"].startswith("/login/")


def test_home_needs_login(browser):
    response = browser.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_home_lists_the_customers_and_offers_the_switcher(browser, owner):
    link(owner, "7000009", "viewer", name="Another Household")
    log_in(browser)
    html = browser.get("/").content.decode()
    assert "Olivia Owner" in html and "Another Household" in html
    assert html.count('action="/customer/"') == 2
    assert "customer-search" not in html  # the search is for agents
    token = browser.cookies["csrftoken"].value
    response = browser.post("/customer/", {"customer_no": MINE, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert 'aria-current="true"' in browser.get("/").content.decode()


def test_the_switcher_accepts_only_linked_customers(browser, owner, stranger):
    log_in(browser)
    token = browser.cookies["csrftoken"].value
    for number in ("7000002", "9999999", "junk"):
        response = browser.post("/customer/", {"customer_no": number, "csrfmiddlewaretoken": token})
        assert response.status_code == 404
        assert "bff_customer_no" not in browser.session
    assert browser.post("/customer/", {"customer_no": MINE}).status_code == 403  # no CSRF token
