"""The usage pages and "refresh now" over the real stack (sandbox over HTTP, real Redis)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from billing_bff.redis import get_redis, key
from billing_bff.refresh import lock_key
from billing_bff.web.formatting import money
from tests.customers.conftest import demo  # noqa: F401 - the demo world
from tests.customers.test_pages import browser, post
from usage import charts, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna_page(demo):  # noqa: F811
    return browser(demo.anna)


@pytest.fixture
def line(demo, anna_page):  # noqa: F811
    """anna's subscription with the most unbilled usage."""
    summary = anna_page.get(f"/api/v1/customers/{demo.family}/usage").json()
    return max(summary["subscriptions"], key=lambda s: s["recordCount"] or 0)["subscriptionNo"]


def records_api(demo, line, **params):  # noqa: F811
    client = browser(demo.anna)
    return client.get(f"/api/v1/customers/{demo.family}/subscriptions/{line}/usage", params).json()


def test_the_unbilled_page_lists_totals_chart_and_records(anna_page, demo, line):  # noqa: F811
    response = anna_page.get(f"/subscriptions/{line}/usage/")
    assert response.status_code == 200
    html = response.content.decode()
    api = records_api(demo, line, page_size=50)
    assert "<h1>Förbrukning sedan senaste fakturan</h1>" in html
    assert f"{api['count']} poster" in html
    assert money(api["totals"]["amount"], language="sv") in html
    assert html.count('<tr>\n                <th scope="row" data-label="Tid">') == 50
    assert f"Sida 1 av {-(-api['count'] // 50)}" in html
    # The chart has one bar per day, and the same days are in its table.
    days = len(set(r["startTime"][:10] for r in records_api(demo, line, page_size=200)["results"]))
    assert html.count('<rect class="bar"') >= days > 0
    assert html.count('<rect class="bar"') == html[html.index('id="daily-caption"') :].count(
        '<th scope="row">'
    )
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in html
    assert f'href="/api/v1/customers/{demo.family}/subscriptions/{line}/usage?format=csv"' in html
    assert 'action="/refresh/"' in html
    assert "data-freshness" in html


def test_filters_narrow_the_records_totals_and_csv_link(anna_page, demo, line):  # noqa: F811
    response = anna_page.get(
        f"/subscriptions/{line}/usage/",
        {"usage_type": "voice", "zone": "", "q": "", "date_from": "", "sort": "-amount"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    api = records_api(demo, line, usage_type="voice", sort="-amount", page_size=50)
    assert f"{api['count']} poster" in html
    assert "Förbrukning som matchar" in html
    types = re.findall(r'<td data-label="Typ"><span>([^<]+)', html)
    assert types and {t.strip() for t in types} == {"Samtal"}
    assert 'name="usage_type" value="voice" checked' in html
    assert '<option value="-amount" selected>' in html
    assert "?usage_type=voice&amp;sort=-amount&amp;format=csv" in html
    assert '<details class="filters" open>' in html


def test_a_bad_filter_is_shown_and_everything_listed(anna_page, demo, line):  # noqa: F811
    response = anna_page.get(
        f"/subscriptions/{line}/usage/", {"date_from": "2026-11-20", "date_to": "2026-11-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="filter-date_to-errors"' in html and 'aria-invalid="true"' in html
    assert f"{records_api(demo, line)['count']} poster" in html


def test_the_billed_page_drills_down_from_an_invoice(anna_page, demo):  # noqa: F811
    invoice = anna_page.get(f"/api/v1/customers/{demo.family}/invoices").json()["results"][0]
    detail = anna_page.get(f"/invoices/{invoice['invoiceNo']}/").content.decode()
    link = re.search(r'href="(/invoices/\d+/subscriptions/\w+/usage/)"', detail).group(1)
    response = anna_page.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>Förbrukning på faktura {invoice['invoiceNo']}</h1>" in html
    assert f'href="/invoices/{invoice["invoiceNo"]}/">Tillbaka till faktura' in html
    assert 'action="/refresh/"' not in html  # billed usage never changes


def test_another_customers_usage_is_404(anna_page, demo):  # noqa: F811
    theirs = browser(demo.cecilia).get(f"/api/v1/customers/{demo.business}/invoices").json()
    invoice_no = theirs["results"][0]["invoiceNo"]
    summary = browser(demo.cecilia).get(f"/api/v1/customers/{demo.business}/usage").json()
    sub = summary["subscriptions"][0]["subscriptionNo"]
    assert anna_page.get(f"/subscriptions/{sub}/usage/").status_code == 404
    assert anna_page.get(f"/invoices/{invoice_no}/subscriptions/{sub}/usage/").status_code == 404
    assert anna_page.get("/subscriptions/..%2F..%2Fx/usage/").status_code == 404


def test_refresh_now_queues_one_refresh_and_answers_json_or_redirects(anna_page, demo):  # noqa: F811
    token = anna_page.cookies["csrftoken"].value
    first = anna_page.post(
        "/refresh/",
        {"next": "/", "csrfmiddlewaretoken": token},
        HTTP_ACCEPT="application/json",
    )
    assert first.status_code == 202
    body = first.json()
    assert body["status"] == "queued"
    assert body["statusUrl"] == f"/api/v1/customers/{demo.family}/refresh/{body['taskId']}"
    assert anna_page.get(body["statusUrl"]).json() == {"taskId": body["taskId"], "status": "queued"}
    lock = get_redis().get(lock_key("501", demo.family, "all"))
    assert lock.decode() == body["taskId"]
    # Without script: back to the page it came from, with a message; still one refresh.
    second = post(anna_page, "/refresh/", {"next": "/subscriptions/x/usage/?page=2"})
    assert second.status_code == 302 and second["Location"] == "/subscriptions/x/usage/?page=2"
    assert get_redis().get(lock_key("501", demo.family, "all")) == lock
    assert post(anna_page, "/refresh/", {"next": "https://evil.example/"})["Location"] == "/"
    assert anna_page.get("/refresh/").status_code == 405


def test_a_viewer_may_refresh(demo):  # noqa: F811
    viewer = browser(demo.bertil)
    assert post(viewer, "/refresh/", {"next": "/"}).status_code == 302


# --- the chart's geometry ----------------------------------------------------------------
def test_bars_scale_to_a_round_top_and_keep_their_order():
    chart = charts.bar_chart(
        [("1", Decimal("10"), "10"), ("2", Decimal("35"), "35"), ("3", Decimal("-5"), "-5")],
        axis_text=str,
    )
    assert [tick.text for tick in chart.ticks] == ["0", "25.0", "50"]
    first, second, credit = chart.bars
    assert first.x < second.x < credit.x
    assert second.height == pytest.approx(first.height * 3.5)
    assert credit.height == 0
    assert all(bar.y + bar.height == pytest.approx(chart.bottom) for bar in chart.bars)
    assert charts.bar_chart([], axis_text=str) is None
    assert charts.nice_ceiling(Decimal("0.3")) == Decimal("0.5")
    assert charts.nice_ceiling(Decimal("120")) == Decimal("200")


def test_the_days_add_up_to_the_filtered_totals_and_are_kept():
    def record(n: int, day: int, kind: str, amount: str, volume: int, code: str) -> dict:
        return {
            "usageId": f"u{n}",
            "startTime": f"2026-11-{day:02d}T1{n % 10}:00:00+01:00",
            "usageType": kind,
            "destination": "46700000XXX",
            "destinationCode": "SE-MOB",
            "zone": "domestic",
            "roaming": False,
            "volume": volume,
            "volumeCode": code,
            "amount": amount,
        }

    records = [
        record(1, 1, "voice", "1.50", 2, "MIN"),
        record(2, 1, "voice", "0.50", 30, "S"),
        record(3, 1, "data", "0.00", 5, "MB"),
        record(4, 3, "voice", "2.25", 10, "S"),
    ]
    set_key = key("test-set")
    summary = store.write_set(set_key, records)
    calls = store.Query(usage_types=("voice",), sort="-amount")
    daily = store.daily_totals(set_key, summary, calls)
    assert daily == [
        {"day": "2026-11-01", "count": 2, "amount": "2.00", "volume": {"seconds": 150.0}},
        {"day": "2026-11-03", "count": 1, "amount": "2.25", "volume": {"seconds": 10.0}},
    ]
    _records, count, totals = store.read_page(set_key, summary, calls)
    assert sum(d["count"] for d in daily) == count == 3
    assert sum(Decimal(d["amount"]) for d in daily) == Decimal(totals["amount"])
    # Kept per filter set: another sort or page of it needs no columns any more.
    get_redis().delete(f"{set_key}:v{summary['version']}:cols")
    again = store.daily_totals(set_key, summary, store.Query(usage_types=("voice",), page=3))
    assert again == daily
