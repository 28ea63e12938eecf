"""The customer pages over the real stack: forms, PRG, messages, the same policy as the API."""

import re
import uuid

import pytest
from django.test import Client

from billing_bff.models import AuditLog
from tests.customers import upstream as sandbox_data
from tests.customers.helpers import CUSTOMER_ROUTE, upstream, writes

NBSP = "\u00a0"


def browser(user, language: str = "sv") -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.get("/")  # the CSRF cookie, as any page with a form sets it
    return client


def post(client: Client, url: str, data: dict):
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def profile_form(client: Client) -> dict:
    """The profile form as the browser would send it back."""
    html = client.get("/profile/").content.decode()
    form = html[html.index('name="action" value="profile"') :]
    form = form[: form.index("</form>")]
    data = {"action": "profile"}
    for name, value in re.findall(
        r'<input type="\w+" id="\w+" name="([\w.]+)" value="([^"]*)"', form
    ):
        data[name] = value.replace("&amp;", "&")
    for name, body in re.findall(
        r'<select id="\w+" name="([\w.]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        data[name] = re.search(r'<option value="([^"]+)" selected>', body).group(1)
    return data


@pytest.fixture
def anna_browser(demo):
    return browser(demo.anna)


@pytest.fixture
def line(demo) -> str:
    return sandbox_data.subscription(demo.family)


def test_the_profile_page_shows_the_form_with_labels_and_the_current_values(anna_browser, demo):
    response = anna_browser.get("/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Dina uppgifter</h1>" in html
    assert '<label for="id_emailAddress">E-postadress' in html
    assert '<label for="id_billingAddress_zipCode">Postnummer' in html
    assert 'name="csrfmiddlewaretoken"' in html
    current = sandbox_data.get("customer", f"/customers/{demo.family}")
    assert f'value="{current["emailAddress"]}"' in html
    assert "/api/v1/" not in html and "/billing/" not in html


def test_saving_the_profile_redirects_and_shows_the_new_email(anna_browser, sandbox):
    data = profile_form(anna_browser)
    email = f"page-{uuid.uuid4().hex[:10]}@example.com"
    response = post(anna_browser, "/profile/", {**data, "emailAddress": email})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    page = anna_browser.get("/profile/").content.decode()
    assert "Dina uppgifter är sparade." in page
    assert f'value="{email}"' in page
    # Only the changed field went to PayEx, and the audit names it.
    assert sandbox.route_count(upstream("PATCH", CUSTOMER_ROUTE)) == 1
    assert AuditLog.objects.get(action="customer.partial-update").details == {
        "fields": ["emailAddress"]
    }


def test_a_bad_zip_code_is_shown_next_to_its_field(anna_browser, sandbox):
    data = profile_form(anna_browser)
    bad = {"billingAddress.zipCode": "12", "billingAddress.countryCode": "SE"}
    response = post(anna_browser, "/profile/", {**data, **bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_billingAddress_zipCode-errors"' in html
    assert "Ange ett svenskt postnummer: fem siffror." in html
    field = re.search(r'<input [^>]*name="billingAddress.zipCode"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'value="12"' in field
    assert 'role="alert"' in html
    assert writes(sandbox) == {}


def test_the_upstreams_validation_is_shown_next_to_its_field(anna_browser, sandbox):
    data = profile_form(anna_browser)
    response = post(anna_browser, "/profile/", {**data, "emailAddress": "anna@localhost"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_emailAddress-errors"' in html
    assert sandbox.route_count(upstream("PATCH", CUSTOMER_ROUTE)) == 1


def test_a_viewer_sees_no_actions_and_a_forged_post_is_403(demo, line, sandbox):
    viewer = browser(demo.bertil)
    for url in ("/profile/", f"/subscriptions/{line}/"):
        html = viewer.get(url).content.decode()
        assert 'method="post"' not in html.replace('action="/logout/"', "").split("<main")[1]
    for url, data in (
        ("/profile/", {"action": "profile", "emailAddress": "x@example.com"}),
        (f"/subscriptions/{line}/", {"action": "order", "productCode": "ADD-INS"}),
        (f"/subscriptions/{line}/", {"action": "end", "product_id": "20000000"}),
    ):
        assert post(viewer, url, data).status_code == 403
    assert writes(sandbox) == {}


def test_ordering_changing_and_ending_a_product_on_the_subscription_page(anna_browser, demo, line):
    url = f"/subscriptions/{line}/"
    html = anna_browser.get(url).content.decode()
    assert 'name="productCode"' in html and "Musikstreaming" in html
    assert f"87,20{NBSP}kr" in html  # the catalogue price, Swedish style
    reference = re.search(r'name="reference" value="([0-9a-f]{32})"', html).group(1)

    order = {"action": "order", "productCode": "ADD-MUSIC", "quantity": "1", "reference": reference}
    assert post(anna_browser, url, order).status_code == 302
    assert post(anna_browser, url, order).status_code == 302  # sent twice: ordered once
    products = sandbox_data.products(demo.family, line)
    ordered = [p for p in products if p["externalReference"] == reference]
    assert len(ordered) == 1
    product_id = ordered[0]["recurringProductId"]
    page = anna_browser.get(url).content.decode()
    assert "Musikstreaming är beställd." in page
    assert f'data-product-id="{product_id}"' in page

    response = post(
        anna_browser, url, {"action": "update", "product_id": product_id, "quantity": "2"}
    )
    assert response.status_code == 302
    assert "Antalet är ändrat." in anna_browser.get(url).content.decode()

    assert post(anna_browser, url, {"action": "end", "product_id": product_id}).status_code == 302
    page = anna_browser.get(url).content.decode()
    assert "Produkten är avslutad." in page
    row = page[page.index(f'data-product-id="{product_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'value="end"' not in row and 'value="update"' not in row

    # Ending it again (a stale page) is refused by the upstream's state, with a message.
    assert post(anna_browser, url, {"action": "end", "product_id": product_id}).status_code == 302
    assert "Det går inte för den här produkten just nu." in anna_browser.get(url).content.decode()


def test_the_profile_page_orders_and_lists_customer_level_products(anna_browser, demo):
    html = anna_browser.get("/profile/").content.decode()
    assert "Hemelektronikförsäkring" in html  # CUS-INS, for owners at customer level
    reference = re.search(r'name="reference" value="([0-9a-f]{32})"', html).group(1)
    order = {"action": "order", "productCode": "CUS-INS", "quantity": "1", "reference": reference}
    assert post(anna_browser, "/profile/", order).status_code == 302
    product_id = next(
        p["recurringProductId"]
        for p in sandbox_data.products(demo.family)
        if p["externalReference"] == reference
    )
    assert f'data-product-id="{product_id}"' in anna_browser.get("/profile/").content.decode()


def test_an_unorderable_product_is_refused_with_a_message(anna_browser, line, sandbox):
    url = f"/subscriptions/{line}/"
    response = post(anna_browser, url, {"action": "order", "productCode": "ADD-TV"})
    assert response.status_code == 302
    assert "Den här produkten kan inte beställas här." in anna_browser.get(url).content.decode()
    assert writes(sandbox) == {}


def test_a_line_on_hold_offers_no_order_form(anna_browser, demo):
    number = sandbox_data.subscription(demo.family, status="suspended")
    html = anna_browser.get(f"/subscriptions/{number}/").content.decode()
    assert "spärrad" in html
    assert 'name="productCode"' not in html


def test_another_customers_subscription_page_is_a_404(anna_browser, demo):
    theirs = sandbox_data.subscription(demo.business)
    assert anna_browser.get(f"/subscriptions/{theirs}/").status_code == 404
    assert (
        anna_browser.get(f"/subscriptions/{sandbox_data.MISSING_SUBSCRIPTION}/").status_code == 404
    )


def test_the_pages_speak_english_too(demo, line):
    english = browser(demo.anna, language="en")
    html = english.get(f"/subscriptions/{line}/").content.decode()
    assert '<html lang="en">' in html
    assert "Products on this subscription" in html
    assert f"SEK{NBSP}87.20" in html


def test_an_upstream_failure_is_an_error_page_not_a_crash(anna_browser, sandbox):
    sandbox.faults(errorRate=1.0, errorStatus=503)
    response = anna_browser.get("/profile/")
    assert response.status_code == 503
    assert "Vi kan inte visa det här just nu" in response.content.decode()


def test_a_user_with_two_customers_chooses_one_first(demo):
    cecilia = browser(demo.cecilia)
    assert cecilia.get("/profile/")["Location"] == "/"
    post(cecilia, "/customer/", {"customer_no": demo.second})
    html = cecilia.get("/profile/").content.decode()
    assert demo.second in html
    post(cecilia, "/customer/", {"customer_no": demo.business})
    assert demo.business in cecilia.get("/profile/").content.decode()
