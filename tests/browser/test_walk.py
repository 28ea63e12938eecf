"""The walk through the site in a real Chromium, on a phone and on a desktop: log in, the
overview, an invoice, a subscription's billed usage on it, a filter, the CSV download,
English, log out. Every page is screenshotted and checked by axe; and "refresh now"
updates the overview's sections in place.

The BFF runs in live_server, PayEx is the sandbox over HTTP; the browser asks for Swedish.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from billing_bff.models import CustomerLink
from billing_bff.redis import get_redis
from billing_bff.refresh import lock_key
from billing_bff.upstream.client import PayExClient
from overview.tasks import refresh_customer
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_self_service import log_in
from tests.customers import upstream as sandbox_data

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "accept_downloads": True}


@pytest.fixture
def family(transactional_db, sandbox) -> str:
    call_command("seed_demo", stdout=io.StringIO())
    return CustomerLink.objects.get(user__username="anna").customer_no


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_walk(page: Page, live_server, family, screenshot, assert_accessible, width):
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    base = live_server.url
    step = iter(range(1, 20))

    def check(name: str) -> None:
        screenshot(page, f"walk-{width}-{next(step)}-{name}")
        assert_accessible(page)

    page.goto(f"{base}/login/")
    check("login")
    log_in(page, base, "anna")

    # --- the overview ---
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    latest = sandbox_data.invoices(family)[0]["invoiceNo"]
    expect(page.locator("#overview-invoices li").first).to_contain_text(latest)
    expect(page.locator("#overview-profile .freshness")).to_contain_text("Uppdaterad")
    check("overview")

    # --- an invoice, and the billed usage of one of its subscriptions ---
    page.locator("#overview-invoices").get_by_role("link", name=f"Faktura {latest}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Faktura {latest}")
    check("invoice")
    drill = page.get_by_role("link", name=re.compile(r"^Förbrukning för \w+ på fakturan$"))
    subscription_no = re.search(r"för (\w+) på", drill.first.inner_text()).group(1)
    drill.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Förbrukning på faktura {latest}")
    expect(page.locator("figure.chart svg rect.bar").first).to_be_visible()
    check("billed-usage")

    # --- filter: calls only ---
    all_records = int(re.search(r"(\d+) poster", page.locator(".totals").inner_text()).group(1))
    page.get_by_text("Filtrera och sortera").click()
    page.get_by_label("Samtal", exact=True).check()
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page).to_have_url(re.compile(r"usage_type=voice"))
    expect(page.get_by_role("heading", level=2, name="Förbrukning som matchar")).to_be_visible()
    calls = int(re.search(r"(\d+) poster", page.locator(".totals").inner_text()).group(1))
    assert 0 < calls < all_records
    types = page.locator('#usage-results tbody td[data-label="Typ"]').all_inner_texts()
    assert types and all(text.startswith("Samtal") for text in types)
    check("filtered")

    # --- the filtered records as CSV ---
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"som CSV$")).click()
    download = download_info.value
    assert download.suggested_filename == f"usage-{latest}-{subscription_no}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert len(rows) == calls
    assert {row["usageType"] for row in rows} == {"voice"}

    # --- English, on the same page and filter ---
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Usage on invoice {latest}")
    expect(page).to_have_url(re.compile(r"usage_type=voice"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check("english")

    # --- log out: the choice of language stays ---
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    check("logged-out")

    # --- and a page that does not exist is the site's own ---
    assert page.goto(f"{base}/no-such-page/").status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    check("not-found")


def test_refresh_now_updates_the_sections_in_place(page: Page, live_server, family, screenshot):
    page.set_viewport_size(DESKTOP)
    base = live_server.url
    log_in(page, base, "anna")
    before = sandbox_data.get("customer", f"/customers/{family}")["emailAddress"]
    expect(page.locator("#overview-profile")).to_contain_text(before)
    # PayEx changes behind the cached overview; a page that reloads would lose this mark.
    email = f"refreshed-{family}@example.com"
    PayExClient().patch_customer(customer_no=family, changes={"emailAddress": email})
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Uppdatera nu").click()
    progress = page.locator("[data-refresh-progress]")
    expect(progress).to_have_text("Väntar på faktureringssystemet…")
    # No worker runs in this test: the queued refresh runs here, as a worker would run it.
    lock = lock_key(settings.PAYEX_OWNER_NO, family, "all")
    for _ in range(100):  # the page shows its progress line before its POST has landed
        task_id = get_redis().get(lock)
        if task_id:
            break
        page.wait_for_timeout(50)
    assert task_id, "the refresh was never queued"
    refresh_customer.apply(args=(settings.PAYEX_OWNER_NO, family, "all"), task_id=task_id.decode())

    expect(progress).to_have_text("Uppdaterat med de senaste uppgifterna.")
    expect(page.locator("#overview-profile")).to_contain_text(email)
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "walk-desktop-refreshed-in-place")
