"""Self-service in a real Chromium: anna edits her details and orders and ends a product,
bertil (a viewer) is offered no action, cecilia switches between her two customers.

The BFF runs in live_server, PayEx is the sandbox over HTTP; the pages are Swedish.
"""

from __future__ import annotations

import io
import os
import uuid

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from billing_bff.models import CustomerLink
from customers.management.commands.seed_demo import DEFAULT_PASSWORD
from tests.browser.conftest import PHONE
from tests.customers import upstream as sandbox_data

pytestmark = pytest.mark.browser

PASSWORD = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD  # as seed_demo sets it


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE"}


@pytest.fixture
def demo(transactional_db, sandbox):
    call_command("seed_demo", stdout=io.StringIO())
    return {link.user.username: link.customer_no for link in CustomerLink.objects.all()}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()


def test_self_service(page: Page, live_server, demo, screenshot, assert_accessible):
    base = live_server.url
    family = CustomerLink.objects.get(user__username="anna").customer_no
    line = sandbox_data.subscription(family)

    # --- anna changes her email address ---
    log_in(page, base, "anna")
    page.get_by_role("link", name="Dina uppgifter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina uppgifter")
    email = f"anna-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("E-postadress").fill(email)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Dina uppgifter är sparade.")
    expect(page.get_by_label("E-postadress")).to_have_value(email)
    screenshot(page, "self-service-1-profile-saved")
    assert_accessible(page)
    page.reload()

    # --- a bad zip code is shown next to its field, nothing is saved ---
    page.get_by_label("Landskod").fill("SE")
    page.get_by_label("Postnummer").fill("12")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#id_billingAddress_zipCode-errors")).to_contain_text("fem siffror")
    expect(page.get_by_label("Postnummer")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "self-service-2-profile-error")

    # --- anna orders a catalogue product on a subscription, sees it, ends it ---
    page.goto(f"{base}/subscriptions/{line}/")
    before = {p["recurringProductId"] for p in sandbox_data.products(family, line)}
    page.get_by_label("Produkt", exact=True).select_option("ADD-ROAM-WORLD")
    page.get_by_label("Antal", exact=True).fill("1")
    page.get_by_role("button", name="Beställ").click()
    expect(page.get_by_role("status")).to_contain_text("Roaming världen är beställd.")
    [product_id] = {p["recurringProductId"] for p in sandbox_data.products(family, line)} - before
    row = page.locator(f'tr[data-product-id="{product_id}"]')
    expect(row).to_contain_text("Roaming världen")
    expect(row.get_by_role("button", name="Avsluta")).to_be_visible()
    screenshot(page, "self-service-3-product-ordered")
    page.reload()
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    screenshot(page, "self-service-4-product-ordered-phone")
    row.get_by_role("button", name="Avsluta").click()
    expect(page.get_by_role("status")).to_contain_text("Produkten är avslutad.")
    expect(row.get_by_role("button", name="Avsluta")).to_have_count(0)
    screenshot(page, "self-service-5-product-ended-phone")
    log_out(page)

    # --- bertil views the same customer and is offered no action ---
    log_in(page, base, "bertil")
    page.goto(f"{base}/profile/")
    expect(page.get_by_text(email)).to_be_visible()
    expect(page.locator("main input")).to_have_count(0)
    expect(page.get_by_role("button", name="Spara")).to_have_count(0)
    page.goto(f"{base}/subscriptions/{line}/")
    expect(page.get_by_role("button", name="Beställ")).to_have_count(0)
    expect(page.get_by_role("button", name="Avsluta")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    screenshot(page, "self-service-6-viewer")
    log_out(page)

    # --- cecilia switches between her two customers ---
    log_in(page, base, "cecilia")
    numbers = list(
        CustomerLink.objects.filter(user__username="cecilia").values_list("customer_no", flat=True)
    )
    assert len(numbers) == 2
    for number in numbers:
        page.goto(f"{base}/")
        page.locator(f"form:has(input[name=customer_no][value='{number}']) button").click()
        page.get_by_role("link", name="Dina uppgifter").click()
        expect(page.locator("dl.facts").first).to_contain_text(number)
        page.get_by_role("link", name="Fakturor").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Fakturor")
        expect(page.locator("#invoices-caption")).to_contain_text("12 fakturor")
    assert_accessible(page)
    screenshot(page, "self-service-7-switched-invoices")
    page.locator("tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Faktura")
    assert_accessible(page)
    screenshot(page, "self-service-8-invoice-phone")
