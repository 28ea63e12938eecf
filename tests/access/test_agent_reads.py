"""Agents' reads are audited, compacted per window; owners' and viewers' are not.

Through the real views (API and pages) over the demo world: the sandbox over HTTP, real
Redis for the de-duplication, the real database for the log.
"""

from __future__ import annotations

import re
import time

import pytest
import redis

from billing_bff.access import AGENT_READ_ACTIONS, CustomerAccess, audit_agent_read
from billing_bff.models import AuditLog
from exports import services as exports
from tests.access.actors import make_agent
from tests.customers.conftest import demo  # noqa: F401 - the demo world
from tests.customers.test_pages import browser, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def service_page(demo):  # noqa: F811
    """The agent's browser, acting for anna's customer (chosen by number)."""
    client = browser(demo.service)
    assert post(client, "/customer/", {"customer_no": demo.family}).status_code == 302
    return client


def reads() -> list[tuple]:
    return list(
        AuditLog.objects.filter(action__in=AGENT_READ_ACTIONS)
        .order_by("id")
        .values_list("action", "actor_role", "customer_no", "details")
    )


def invoice_numbers(client, customer_no: str) -> list[str]:
    body = client.get(f"/api/v1/customers/{customer_no}/invoices").json()
    return [str(invoice["invoiceNo"]) for invoice in body["results"]]


def busiest_line(client, customer_no: str) -> str:
    summary = client.get(f"/api/v1/customers/{customer_no}/usage").json()
    return max(summary["subscriptions"], key=lambda s: s["recordCount"] or 0)["subscriptionNo"]


def billed_page(client, invoice_no: str) -> tuple[str, str]:
    """(the billed usage page's path, its subscription number), from the invoice page."""
    html = client.get(f"/invoices/{invoice_no}/").content.decode()
    found = re.search(r'href="(/invoices/\d+/subscriptions/(\w+)/usage/)"', html)
    return found.group(1), found.group(2)


def test_an_agent_reading_an_invoice_is_audited_once_per_window(demo):  # noqa: F811
    client = demo.api(demo.service)
    first, second = invoice_numbers(client, demo.family)[:2]
    url = f"/api/v1/customers/{demo.family}/invoices/"
    for _ in range(2):
        assert client.get(url + first).status_code == 200
    assert reads() == [("invoice.read", "agent", demo.family, {"invoiceNo": first})]
    assert client.get(url + second).status_code == 200
    assert reads()[1:] == [("invoice.read", "agent", demo.family, {"invoiceNo": second})]


def test_the_invoice_page_is_audited_with_the_api_in_one_window(demo, service_page):  # noqa: F811
    first, second = invoice_numbers(service_page, demo.family)[:2]
    assert service_page.get(f"/invoices/{first}/").status_code == 200
    assert service_page.get(f"/invoices/{first}/").status_code == 200
    assert service_page.get(f"/api/v1/customers/{demo.family}/invoices/{first}").status_code == 200
    assert service_page.get(f"/invoices/{second}/").status_code == 200
    assert [(action, details) for action, _role, _no, details in reads()] == [
        ("invoice.read", {"invoiceNo": first}),
        ("invoice.read", {"invoiceNo": second}),
    ]
    assert AuditLog.objects.get(details={"invoiceNo": first}).channel == "web"


def test_a_new_window_records_the_read_again(demo, settings):  # noqa: F811
    settings.AGENT_READ_AUDIT_WINDOW = 1
    client = demo.api(demo.service)
    (number,) = invoice_numbers(client, demo.family)[:1]
    client.get(f"/api/v1/customers/{demo.family}/invoices/{number}")
    time.sleep(1.2)
    client.get(f"/api/v1/customers/{demo.family}/invoices/{number}")
    assert [action for action, *_ in reads()] == ["invoice.read", "invoice.read"]


def test_an_agent_reading_usage_and_its_csv_is_audited_by_set(demo, service_page):  # noqa: F811
    line = busiest_line(service_page, demo.family)
    records = f"/api/v1/customers/{demo.family}/subscriptions/{line}/usage"
    assert service_page.get(records).status_code == 200
    assert service_page.get(records, {"page": 2}).status_code == 200
    assert service_page.get(f"/subscriptions/{line}/usage/").status_code == 200
    csv = service_page.get(records, {"format": "csv"})
    assert csv.status_code == 200
    b"".join(csv.streaming_content)
    (invoice_no,) = invoice_numbers(service_page, demo.family)[:1]
    path, billed_line = billed_page(service_page, invoice_no)
    assert service_page.get(path).status_code == 200
    billed_api = (
        f"/api/v1/customers/{demo.family}/invoices/{invoice_no}/subscriptions/{billed_line}/usage"
    )
    assert service_page.get(billed_api).status_code == 200
    assert [(action, details) for action, _role, _no, details in reads()] == [
        ("usage.read", {"subscriptionNo": line}),
        ("usage.csv", {"subscriptionNo": line}),
        ("invoice.read", {"invoiceNo": invoice_no}),
        ("usage.read", {"subscriptionNo": billed_line, "invoiceNo": invoice_no}),
    ]


def test_an_agent_downloading_an_export_is_audited(demo):  # noqa: F811
    client = demo.api(demo.service)
    body = client.post(f"/api/v1/customers/{demo.family}/exports").json()
    exports.export_run(export_id=body["id"])
    download = client.get(f"{body['statusUrl']}/download")
    assert download.status_code == 200
    b"".join(download.streaming_content)
    assert client.get(f"{body['statusUrl']}/download").status_code == 200
    assert reads() == [("export.download", "agent", demo.family, {"exportId": body["id"]})]


def test_an_agents_refresh_is_audited_on_the_api_and_the_page(demo, service_page):  # noqa: F811
    api = demo.api(demo.service)
    assert api.post(f"/api/v1/customers/{demo.family}/refresh").status_code == 202
    assert api.post(f"/api/v1/customers/{demo.family}/refresh").status_code == 202
    assert reads() == [("customer.refresh", "agent", demo.family, {})]
    assert AuditLog.objects.get(action="customer.refresh").channel == "api"
    # Another agent, on the page.
    other = browser(make_agent("agent2"))
    post(other, "/customer/", {"customer_no": demo.family})
    assert post(other, "/refresh/", {"next": "/"}).status_code == 302
    entry = AuditLog.objects.filter(action="customer.refresh").order_by("id").last()
    assert (entry.actor_username, entry.channel) == ("agent2", "web")


def test_owners_and_viewers_reads_are_not_audited(demo):  # noqa: F811
    for user in (demo.anna, demo.bertil):
        client = browser(user)
        api = demo.api(user)
        line = busiest_line(api, demo.family)
        (invoice_no,) = invoice_numbers(api, demo.family)[:1]
        assert api.get(f"/api/v1/customers/{demo.family}/invoices/{invoice_no}").status_code == 200
        assert client.get(f"/invoices/{invoice_no}/").status_code == 200
        records = f"/api/v1/customers/{demo.family}/subscriptions/{line}/usage"
        assert api.get(records).status_code == 200
        assert api.get(records, {"format": "csv"}).status_code == 200
        assert client.get(f"/subscriptions/{line}/usage/").status_code == 200
        path, _ = billed_page(client, invoice_no)
        assert client.get(path).status_code == 200
        assert api.post(f"/api/v1/customers/{demo.family}/refresh").status_code == 202
        body = api.post(f"/api/v1/customers/{demo.family}/exports").json()
        exports.export_run(export_id=body["id"])
        assert api.get(f"{body['statusUrl']}/download").status_code == 200
    assert reads() == []


def test_without_redis_the_read_is_recorded_anyway(demo, monkeypatch):  # noqa: F811
    def down(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(redis.Redis, "set", down)
    access = CustomerAccess(
        user=demo.service, ledger_no="501", customer_no=demo.family, role="agent", channel="api"
    )
    for _ in range(2):
        audit_agent_read(access, "invoice.read", invoiceNo="123")
    assert [action for action, *_ in reads()] == ["invoice.read", "invoice.read"]


def test_only_known_reads_are_recorded(demo):  # noqa: F811
    access = CustomerAccess(
        user=demo.service, ledger_no="501", customer_no=demo.family, role="agent", channel="api"
    )
    with pytest.raises(ValueError, match="unknown agent read"):
        audit_agent_read(access, "customer.browse")
