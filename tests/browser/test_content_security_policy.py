"""The pages pass their Content-Security-Policy in a real Chromium: every main page is
loaded (and its scripts run: the refresh buttons, the chart, the exports poll) while
every `securitypolicyviolation` event and every console error is collected; there must
be none. Swagger UI at /api/docs/ still renders under its own allowances.

The BFF runs in live_server, PayEx is the sandbox over HTTP.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from billing_bff.models import CustomerLink
from tests.browser.test_self_service import log_in
from tests.customers import upstream as sandbox_data

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${document.URL}`
  );
});
"""


@pytest.fixture
def family(transactional_db, sandbox) -> str:
    call_command("seed_demo", stdout=io.StringIO())
    return CustomerLink.objects.get(user__username="anna").customer_no


@pytest.fixture
def violations(page: Page) -> list[str]:
    """CSP violations and console errors of every page the test loads."""
    found: list[str] = []

    def report(text: str) -> None:
        found.append(text)

    page.expose_function("reportViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and found.append(f"console: {message.text} ({message.location['url']})")
        ),
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    # Which resource a console "Failed to load resource" was about.
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and found.append(f"{response.status} {response.request.method} {response.url}")
        ),
    )
    return found


def test_the_main_pages_load_with_no_policy_violation(page: Page, live_server, family, violations):
    base = live_server.url
    page.goto(f"{base}/login/")
    expect(page.locator("#id_username")).to_be_visible()
    response = page.request.get(f"{base}/login/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    log_in(page, base, "anna")

    line = sandbox_data.subscription(family)
    invoice_no = sandbox_data.invoices(family)[0]["invoiceNo"]
    for path in (
        "/",
        "/profile/",
        f"/subscriptions/{line}/",
        "/invoices/",
        f"/invoices/{invoice_no}/",
        f"/subscriptions/{line}/usage/",
        "/exports/",
    ):
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")

    # The scripts at work: "refresh now" on the overview, and an export's polled bar.
    page.goto(f"{base}/")
    page.locator("form[data-refresh-form] button").first.click()
    expect(page.locator("[data-refresh-progress]").first).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/exports/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("progress.export-progress").first).to_be_visible()
    page.wait_for_timeout(1500)  # a poll or two of the exports API

    assert violations == []


def test_the_api_docs_render_under_their_own_allowances(page: Page, live_server, violations):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("mobile API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []
