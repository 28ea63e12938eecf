"""Full usage exports over the real stack: the sandbox over HTTP, real Redis, the BFF's views.

The task's body (exports.services.export_run) runs in the test's thread, except in the one
test that proves the wiring with a real Celery worker.
"""

import csv
import io
import os
import time
import uuid
import zipfile
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from billing_bff.models import AuditLog
from billing_bff.upstream.errors import UpstreamUnavailable
from exports import services as exports
from exports.models import Export
from exports.selectors import export_path
from tests.access.actors import link, make_user
from tests.fixtures.worker import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def exports_url(customer_no: str) -> str:
    return f"/api/v1/customers/{customer_no}/exports"


def start(client, customer_no: str) -> dict:
    response = client.post(exports_url(customer_no))
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["statusUrl"]
    return body


def downloaded_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content)
    if response["Content-Type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            (member,) = archive.namelist()
            assert member.endswith(".csv")
            content = archive.read(member)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def sandbox_get(sandbox, api: str, path: str) -> dict:
    answer = requests.get(sandbox.billing_url(api, path), headers=sandbox.headers, timeout=10)
    answer.raise_for_status()
    return answer.json()


def expected_counts(client, sandbox, customer_no: str) -> Counter:
    """Records per (source, invoiceNo, subscriptionNo): billed from the sandbox itself,
    unbilled from the BFF's usage API (the sandbox's unbilled usage grows by the minute,
    so the oracle is the copy the export read)."""
    counts = Counter()
    invoices = sandbox_get(sandbox, "invoice", f"/customers/{customer_no}/invoices")["invoices"]
    newest = sorted(invoices, key=lambda i: i["invoiceDate"], reverse=True)[:12]
    assert len(newest) == 12
    for invoice in newest:
        summary = sandbox_get(sandbox, "usage", f"/invoices/{invoice['invoiceNo']}")
        for item in summary["subscriptions"]:
            counts["billed", invoice["invoiceNo"], item["subscriptionNo"]] = item["recordCount"]
    unbilled = client.get(f"/api/v1/customers/{customer_no}/usage").json()
    for item in unbilled["subscriptions"]:
        sub = item["subscriptionNo"]
        url = f"/api/v1/customers/{customer_no}/subscriptions/{sub}/usage"
        counts["unbilled", "", sub] = client.get(url, {"page_size": 1}).json()["count"]
    return counts


def test_the_export_holds_every_subscription_and_the_last_12_invoices(
    api, owner_of, small_customer, sandbox
):
    customer_no = small_customer["customerNo"]
    client = api(owner_of(small_customer))
    body = start(client, customer_no)
    assert (body["status"], body["percent"], body["downloadUrl"]) == ("queued", 0, None)

    exports.export_run(export_id=body["id"])

    status = client.get(body["statusUrl"]).json()
    assert (status["status"], status["percent"]) == ("done", 100)
    assert status["expiresAt"] and status["createdAt"] and status["size"] > 0
    assert status["operations"] == [
        {"rel": "download", "method": "GET", "href": status["downloadUrl"]}
    ]
    response = client.get(status["downloadUrl"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "private" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert status["fileName"] in response["Content-Disposition"]
    rows = downloaded_rows(response)
    assert list(rows[0])[:6] == [
        "source",
        "invoiceNo",
        "subscriptionNo",
        "usageId",
        "startTime",
        "usageType",
    ]
    got = Counter((r["source"], r["invoiceNo"], r["subscriptionNo"]) for r in rows)
    expected = expected_counts(client, sandbox, customer_no)
    assert +got == +expected  # (zero counts dropped on both sides)
    assert status["rows"] == len(rows) == sum(expected.values())
    subscriptions = {
        item["subscriptionNo"]
        for item in client.get(f"/api/v1/customers/{customer_no}/usage").json()["subscriptions"]
    }
    assert {sub for _, _, sub in got} == subscriptions
    assert len({(source, invoice) for source, invoice, _ in got}) == 13  # 12 invoices + unbilled
    # Each set in time order, billed invoices oldest first, unbilled last.
    invoice_order = [r["invoiceNo"] for r in rows if r["source"] == "billed"]
    assert invoice_order == sorted(invoice_order)
    assert rows[-1]["source"] == "unbilled"


def test_the_percent_done_advances_while_it_runs(api, owner_of, small_customer, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_INTERVAL", 0)
    client = api(owner_of(small_customer))
    body = start(client, small_customer["customerNo"])
    seen = []

    def on_progress(percent):
        # What a polling client sees at this moment.
        answer = client.get(body["statusUrl"]).json()
        seen.append((percent, answer["percent"], answer["status"]))

    exports.export_run(export_id=body["id"], on_progress=on_progress)

    assert all(percent == api_percent for percent, api_percent, _ in seen)
    api_percents = [api_percent for _, api_percent, _ in seen]
    assert api_percents == sorted(set(api_percents))  # strictly increasing
    assert len([p for p in api_percents if 0 < p < 100]) >= 10
    assert {state for _, _, state in seen[:-1]} == {"running"}
    assert seen[-1] == (100, 100, "done")


def test_another_customers_user_gets_404_for_status_and_download(
    api, owner_of, small_customer, big_customer
):
    mine = small_customer["customerNo"]
    owner = api(owner_of(small_customer))
    body = start(owner, mine)
    export = exports.export_run(export_id=body["id"])
    assert export.status == "done"
    download = body["statusUrl"] + "/download"

    stranger = Client()
    stranger.force_login(owner_of(big_customer, username="stranger"))
    theirs = big_customer["customerNo"]
    answers = [
        stranger.get(body["statusUrl"]),
        stranger.get(download),
        stranger.get(body["statusUrl"].replace(mine, theirs)),
        stranger.get(download.replace(mine, theirs)),
        stranger.get(f"{exports_url(theirs)}/{uuid.uuid4()}"),
        stranger.get(f"{exports_url(theirs)}/not-a-uuid/download"),
    ]
    assert [a.status_code for a in answers] == [404] * 6
    bodies = [{k: v for k, v in a.json().items() if k != "instance"} for a in answers]
    assert all(b == bodies[0] for b in bodies)
    assert stranger.get(exports_url(theirs)).json()["count"] == 0
    assert owner.get(exports_url(mine)).json()["count"] == 1


def test_a_viewer_may_export_and_the_request_is_audited(api, small_customer):
    viewer = make_user("viewer")
    link(viewer, small_customer["customerNo"], "viewer")
    client = api(viewer)
    listing = client.get(exports_url(small_customer["customerNo"])).json()
    assert [op["rel"] for op in listing["operations"]] == ["export"]
    body = start(client, small_customer["customerNo"])
    entry = AuditLog.objects.get(action="customer.export")
    assert (entry.actor_username, entry.actor_role, entry.customer_no) == (
        "viewer",
        "viewer",
        small_customer["customerNo"],
    )
    assert entry.details["exportId"] == body["id"]
    # Asking again while it is queued answers the same export, not a second job.
    assert start(client, small_customer["customerNo"])["id"] == body["id"]
    assert Export.objects.count() == 1


def test_a_large_export_is_zipped(api, owner_of, small_customer, settings, export_root):
    settings.EXPORT_ZIP_THRESHOLD_BYTES = 1024
    client = api(owner_of(small_customer))
    body = start(client, small_customer["customerNo"])
    export = exports.export_run(export_id=body["id"])
    assert export.file_name.endswith(".zip")
    assert sorted(p.name for p in export_root.iterdir()) == [f"{export.id}.zip"]
    response = client.get(client.get(body["statusUrl"]).json()["downloadUrl"])
    assert response["Content-Type"] == "application/zip"
    rows = downloaded_rows(response)
    assert len(rows) == export.rows > 0
    assert export.size == (export_root / f"{export.id}.zip").stat().st_size


def test_a_second_run_writes_the_same_file_and_never_moves_the_bar_back(
    api, owner_of, small_customer, export_root, monkeypatch
):
    client = api(owner_of(small_customer))
    body = start(client, small_customer["customerNo"])
    first = exports.export_run(export_id=body["id"])
    path = export_path(export=first)
    content = path.read_bytes()
    # A finished export is left alone by a redelivered message.
    assert exports.export_run(export_id=body["id"]).finished_at == first.finished_at
    # A worker lost halfway: the message comes back while the row says running at 40 %.
    Export.objects.filter(pk=first.pk).update(status="running", percent=40)
    monkeypatch.setattr(exports, "PROGRESS_INTERVAL", 0)
    seen = []
    again = exports.export_run(export_id=body["id"], on_progress=seen.append)
    assert again.status == "done" and again.rows == first.rows
    assert min(seen) > 40
    assert path.read_bytes() == content
    assert sorted(p.name for p in export_root.iterdir()) == [path.name]  # no temp left


def test_an_upstream_failure_fails_the_export_with_a_reason(
    api, owner_of, small_customer, sandbox, settings, export_root
):
    settings.PAYEX_RETRY_ATTEMPTS = 1
    client = api(owner_of(small_customer))
    body = start(client, small_customer["customerNo"])
    sandbox.faults(errorRate=1.0, errorStatus=503)
    # While the task may retry, the error goes back to it and the export stays running.
    with pytest.raises(UpstreamUnavailable):
        exports.export_run(export_id=body["id"], may_retry=True)
    assert Export.objects.get(pk=body["id"]).status == "running"
    # The last attempt fails it.
    export = exports.export_run(export_id=body["id"])
    assert (export.status, export.failure_reason) == ("failed", "upstream-unavailable")
    status = client.get(body["statusUrl"]).json()
    assert (status["status"], status["failureReason"], status["downloadUrl"]) == (
        "failed",
        "upstream-unavailable",
        None,
    )
    assert client.get(body["statusUrl"] + "/download").status_code == 409
    assert list(export_root.iterdir()) == []


def test_cleanup_deletes_expired_files_and_their_downloads_are_gone(
    api, owner_of, small_customer, export_root
):
    client = api(owner_of(small_customer))
    body = start(client, small_customer["customerNo"])
    export = exports.export_run(export_id=body["id"])
    path = export_path(export=export)
    keep = start(client, small_customer["customerNo"])
    kept = exports.export_run(export_id=keep["id"])
    # An abandoned job (its worker killed) and the temp file it left behind.
    abandoned = Export.objects.create(
        ledger_no="501", customer_no=small_customer["customerNo"], status="running"
    )
    Export.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(days=1))
    temp = export_root / f".{abandoned.id}.dead.part"
    temp.write_text("half")
    old = time.time() - 2 * 86400
    os.utime(temp, (old, old))
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert exports.exports_cleanup() == {"expired": 1, "abandoned": 1, "tempFiles": 1}

    assert not path.exists() and not temp.exists()
    assert export_path(export=kept).exists()
    status = client.get(body["statusUrl"]).json()
    assert (status["status"], status["downloadUrl"]) == ("expired", None)
    gone = client.get(body["statusUrl"] + "/download")
    assert gone.status_code == 410
    assert gone["Content-Type"] == "application/problem+json"
    assert Export.objects.get(pk=abandoned.pk).failure_reason == "abandoned"
    assert client.get(keep["statusUrl"] + "/download").status_code == 200


def test_the_exports_page_starts_one_and_shows_its_progress(owner_of, small_customer):
    user = owner_of(small_customer)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get("/exports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and "<progress" not in html
    assert "Starta en export" in html  # Swedish by default, as every page
    # Without the CSRF token the form is refused.
    assert browser.post("/exports/").status_code == 403
    token = browser.cookies["csrftoken"].value
    posted = browser.post("/exports/", {"csrfmiddlewaretoken": token})
    assert posted.status_code == 302 and posted["Location"] == "/exports/"
    export = Export.objects.get()

    html = browser.get("/exports/").content.decode()
    assert f'data-export-status-url="{exports_url(export.customer_no)}/{export.id}"' in html
    assert '<progress id="export-' in html and 'max="100" value="0"' in html
    assert '<meta http-equiv="refresh"' in html  # inside <noscript>: works without script
    assert "/static/exports/exports.js" in html
    assert finders.find("exports/exports.js")

    exports.export_run(export_id=export.id)
    html = browser.get("/exports/").content.decode()
    assert "<progress" not in html and 'http-equiv="refresh"' not in html
    assert f'href="{exports_url(export.customer_no)}/{export.id}/download"' in html
    assert browser.get(f"{exports_url(export.customer_no)}/{export.id}/download").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_export_to_done(worker, api, owner_of, small_customer):
    client = api(owner_of(small_customer))
    body = start(client, small_customer["customerNo"])
    percents = []

    def done() -> bool:
        status = client.get(body["statusUrl"]).json()
        percents.append(status["percent"])
        return status["status"] in ("done", "failed")

    assert wait_for(done, timeout=60)
    status = client.get(body["statusUrl"]).json()
    assert (status["status"], status["percent"]) == ("done", 100)
    assert percents == sorted(percents)
    rows = downloaded_rows(client.get(status["downloadUrl"]))
    assert len(rows) == status["rows"] > 0


@pytest.fixture
def broadband_only(sandbox):
    """The sandbox's broadband-only consumer (4702206 by default): its invoices carry no
    usage, and the Usage API answers 404 invoice-has-no-usage for each of them."""
    customer = sandbox.customers()[2]
    invoices = sandbox_get(sandbox, "invoice", f"/customers/{customer['customerNo']}/invoices")
    first = invoices["invoices"][0]["invoiceNo"]
    answer = requests.get(
        sandbox.billing_url("usage", f"/invoices/{first}"), headers=sandbox.headers, timeout=10
    )
    assert answer.status_code == 404
    assert answer.json()["Type"].endswith("invoice-has-no-usage")
    return customer


def test_invoices_without_usage_are_skipped_and_the_rest_is_exported(
    api, owner_of, broadband_only, caplog
):
    customer_no = broadband_only["customerNo"]
    client = api(owner_of(broadband_only))
    body = start(client, customer_no)
    with caplog.at_level("INFO", logger="exports"):
        export = exports.export_run(export_id=body["id"])

    assert (export.status, export.failure_reason) == ("done", "")
    rows = downloaded_rows(client.get(client.get(body["statusUrl"]).json()["downloadUrl"]))
    assert {row["source"] for row in rows} <= {"unbilled"}
    expected = sum(
        item["recordCount"]
        for item in client.get(f"/api/v1/customers/{customer_no}/usage").json()["subscriptions"]
    )
    assert export.rows == len(rows) == expected
    skipped = [r for r in caplog.records if "without billed usage" in r.getMessage()]
    assert [r.levelname for r in skipped] == ["INFO"]
    assert skipped[0].getMessage() == "export skips 12 invoices without billed usage"
    assert customer_no not in caplog.text
