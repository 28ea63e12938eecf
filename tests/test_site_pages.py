"""What every browser page shares: one static stylesheet, the language form, freshness
lines, the customer switcher and agents' search, and the site's own error pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from billing_bff.access import SESSION_CUSTOMER_KEY
from billing_bff.web.errors import server_error
from tests.access.actors import link, make_agent, make_user
from tests.customers.conftest import demo  # noqa: F401 - the demo world
from tests.customers.test_pages import browser, post

pytestmark = pytest.mark.django_db


def test_pages_use_the_one_stylesheet_and_nothing_from_elsewhere(client):
    html = client.get("/login/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert '<script src="/static/js/site.js" defer></script>' in html
    assert "<style" not in html and " style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert finders.find("css/site.css") and finders.find("js/site.js")


def test_the_language_follows_the_browser_then_the_users_choice(client):
    assert '<html lang="sv">' in client.get("/login/").content.decode()
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert '<html lang="en">' in english and "<h1>Log in</h1>" in english
    form = client.get("/login/").content.decode()
    assert 'action="/i18n/setlang/"' in form
    assert '<input type="hidden" name="next" value="/login/">' in form
    assert '<button type="submit" name="language" value="en" class="link">' in form
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/?x=1"})
    assert response.status_code == 302 and response["Location"] == "/login/?x=1"
    assert response.cookies["django_language"]["max-age"] == 365 * 24 * 60 * 60
    chosen = client.get("/login/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="en">' in chosen
    assert '<button type="submit" name="language" value="sv" class="link">' in chosen


def test_the_swedish_pages_are_swedish(demo):  # noqa: F811
    html = browser(demo.anna).get("/").content.decode()
    for english in ("Overview", "Log out", "Skip to content", "Refresh now", "Latest invoices"):
        assert english not in html
    assert "Hoppa till innehållet" in html and "Mina sidor" in html


@pytest.mark.parametrize(
    ("language", "stale", "expected"),
    [
        ("sv", False, "Uppdaterad för 3\xa0minuter sedan"),
        ("en", False, "Updated 3\xa0minutes ago"),
        ("sv", True, "Kan vara inaktuellt. Uppdaterad för 3\xa0minuter sedan"),
    ],
)
def test_the_freshness_line_says_how_old_the_figures_are(language, stale, expected):
    as_of = (datetime.now(tz=UTC) - timedelta(minutes=3, seconds=5)).isoformat(timespec="seconds")
    with translation.override(language):
        html = render_to_string(
            "_freshness.html", {"meta": {"asOf": as_of, "stale": stale, "source": "cache"}}
        )
    assert expected in html
    assert f'data-stale="{"true" if stale else "false"}"' in html
    assert f'<time datetime="{as_of}">' in html


def test_a_user_of_one_customer_sees_no_switcher(demo):  # noqa: F811
    html = browser(demo.anna).get("/invoices/").content.decode()
    assert 'id="switch-customer"' not in html and "header-customer-number" not in html


def test_the_header_switcher_is_on_every_page(demo):  # noqa: F811
    client = browser(demo.cecilia)
    post(client, "/customer/", {"customer_no": demo.second})
    for url in ("/", "/invoices/", "/profile/"):
        html = client.get(url).content.decode()
        header = html[: html.index("<main")]
        assert '<label for="switch-customer">Du agerar för</label>' in header
        assert f'<option value="{demo.second}" selected>' in header
        assert f'<option value="{demo.business}">' in header


def test_an_agent_searches_by_number_with_spaces_and_dashes():
    agent = make_agent("agent-search")
    client = Client()
    client.force_login(agent)
    html = client.get("/").content.decode()
    assert 'id="customer-search"' in html and 'aria-describedby="customer-search-hint"' in html
    response = client.post("/customer/", {"customer_no": " 700 00-01 "})
    assert response.status_code == 302
    assert client.session[SESSION_CUSTOMER_KEY] == "7000001"
    bad = client.post("/customer/", {"customer_no": "nobody"})
    assert bad.status_code == 404
    html = bad.content.decode()
    assert 'aria-invalid="true"' in html and 'id="customer-search-error"' in html
    assert 'value="nobody"' in html


# --- error pages -----------------------------------------------------------------------
def assert_site_page(html: str) -> None:
    assert 'class="skip-link" href="#main"' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert "Det här kan du göra" in html  # what the user can do


def test_404_is_the_sites_own_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>Vi hittade inte sidan</h1>" in html
    assert 'href="/login/">Logga in</a>' in html


def test_403_is_the_sites_own_page(demo):  # noqa: F811
    response = post(browser(demo.bertil), "/profile/", {"action": "profile"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>Det här kan du inte göra</h1>" in html


def test_500_is_the_sites_own_page_without_a_request_context():
    request = RequestFactory().get("/somewhere/")
    with translation.override("sv"):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>Något gick fel hos oss</h1>" in html
    assert "csrfmiddlewaretoken" not in html  # no form that could not be sent


def test_an_upstream_outage_is_a_503_page_with_retry_after(sandbox, settings):
    settings.PAYEX_RETRY_ATTEMPTS = 1
    user = make_user("outage")
    customer = sandbox.customers()[0]["customerNo"]
    link(user, customer, "owner")
    client = Client()
    client.force_login(user)
    sandbox.faults(errorRate=1.0, errorStatus=503)
    response = client.get("/invoices/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>Vi kan inte visa det här just nu</h1>" in html
    assert 'href="/invoices/">Försök igen</a>' in html
