"""The exports page in a real Chromium: start an export, watch its bar move, download it.

The BFF runs in live_server, a real Celery worker runs the export, PayEx is the sandbox
over HTTP (slowed a little, so the export runs long enough to be watched).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from exports import services as exports
from tests.access.actors import PASSWORD, link, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "accept_downloads": True}


def test_the_bar_moves_while_the_export_runs_and_the_file_downloads(
    page: Page,
    live_server,
    transactional_db,
    sandbox,
    worker,
    settings,
    tmp_path,
    monkeypatch,
    screenshot,
    assert_accessible,
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    monkeypatch.setattr(exports, "PROGRESS_INTERVAL", 0)
    customer = next(
        c
        for c in sandbox.customers()
        if c["legalEntity"] == "consumer" and c["subscriptionCount"] >= 2
    )
    link(make_user("exporter"), customer["customerNo"], "owner")
    sandbox.faults(latencyMs=150)

    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill("exporter")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/exports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exporter av användning")
    page.get_by_role("button", name="Starta en export").click()
    expect(page.get_by_role("status")).to_contain_text("Exporten har startat")
    # Watched without the one-time message: base.html's message list (role=status on the
    # <ul>) is reported by axe, and that template is not this feature's to change.
    page.reload()

    bar = page.get_by_role("progressbar", name="Exportens förlopp")
    expect(bar).to_be_visible()
    # A mark on this document: it survives only as long as the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            value = page.evaluate(
                "window.notReloaded === true"
                " ? (document.querySelector('progress')?.value ?? null) : 'reloaded'"
            )
        except PlaywrightError:  # the script is reloading the page right now
            break
        if value == "reloaded":
            break
        if value is not None and (not seen or value != seen[-1]):
            seen.append(value)
            if len(seen) == 2:
                screenshot(page, "exports-1-running")
                assert_accessible(page)
        time.sleep(0.1)
    # The script moved the bar in place, then reloaded the page when the export ended.
    assert len([v for v in seen if 0 < v < 100]) >= 2, seen
    assert seen == sorted(seen)

    download_link = page.get_by_role("link", name="Ladda ner usage-")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(page.locator("progress")).to_have_count(0)
    screenshot(page, "exports-2-done")
    assert_accessible(page)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith(f"usage-{customer['customerNo']}-")
    with open(download.value.path(), encoding="utf-8") as handle:
        assert handle.readline().startswith("source,invoiceNo,subscriptionNo,usageId")
