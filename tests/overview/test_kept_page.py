"""The overview page kept rendered: the same HTML while nothing changed, never longer."""

import re

import pytest
from django.test import Client

from billing_bff.models import CustomerLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.anna)
    return client


def page(browser):
    response = browser.get("/")
    assert response.status_code == 200
    return response


def test_the_page_is_kept_while_its_copies_are_fresh_and_its_forms_still_post(browser, demo):
    page(browser)  # warms every section
    built = page(browser)  # built from the cache, and kept
    kept = page(browser)
    assert getattr(kept, "rendered_from_cache", False)
    assert kept.content == built.content and b'lang="sv"' in kept.content
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', kept.content).group(1)
    switched = browser.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token.decode()}
    )
    assert switched.status_code == 302  # the kept form's CSRF token is the session's
    english = page(browser)
    assert not getattr(english, "rendered_from_cache", False)
    assert b'lang="en"' in english.content


def test_a_message_to_show_a_write_or_another_session_is_never_answered_from_the_kept_page(
    browser, demo, anna
):
    page(browser)
    page(browser)
    assert getattr(page(browser), "rendered_from_cache", False)

    # A message waiting in the session: the page is built, so the message shows once.
    browser.post("/refresh/", {"next": "/", "csrfmiddlewaretoken": _token(browser)})
    shown = page(browser)
    assert not getattr(shown, "rendered_from_cache", False)
    assert b'class="messages"' in shown.content

    # A write of the customer's (through the API): the kept page is left behind.
    before = page(browser)
    assert getattr(page(browser), "rendered_from_cache", False)
    profile = anna.get(f"/api/v1/customers/{demo.family}").json()
    changed = anna.patch(
        f"/api/v1/customers/{demo.family}",
        {"emailAddress": "kept.page@example.com"},
        format="json",
        HTTP_IF_MATCH=profile.get("etag", "*"),
    )
    assert changed.status_code == 200, changed.content
    after = page(browser)
    assert not getattr(after, "rendered_from_cache", False)
    assert b"kept.page@example.com" in after.content and after.content != before.content

    # Another session of the same user has its own (its CSRF token is its own).
    other = Client()
    other.force_login(demo.anna)
    assert not getattr(other.get("/"), "rendered_from_cache", False)

    # A removed link: the next view is not the kept page.
    page(browser)
    kept = page(browser)
    assert getattr(kept, "rendered_from_cache", False)
    CustomerLink.objects.filter(user=demo.anna).delete()
    gone = browser.get("/")
    assert not getattr(gone, "rendered_from_cache", False)
    assert gone.content != kept.content


def _token(browser) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(browser).text).group(1)
