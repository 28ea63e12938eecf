"""Usage over the real stack: sandbox over HTTP, real Redis, the BFF's own views."""

import pytest
import requests

from billing_bff.redis import get_redis

UNBILLED_RECORDS = (
    "GET /billing/usage/v1/{ownerNo}/customers/{customerNo}/subscriptions/{subscriptionNo}"
)
pytestmark = pytest.mark.django_db


def records_url(customer_no, sub_no):
    return f"/api/v1/customers/{customer_no}/subscriptions/{sub_no}/usage"


def test_a_page_of_the_big_set_with_totals(api, owner_of, big_customer, sandbox):
    client = api(owner_of(big_customer))
    url = records_url(big_customer["customerNo"], big_customer["bigUnbilledSubscription"])
    body = client.get(url, {"page_size": 50}).json()
    assert body["count"] >= 20_000
    assert len(body["results"]) == 50
    assert body["next"] and body["previous"] is None
    assert body["totals"]["count"] == body["count"]
    assert body["meta"]["stale"] is False and body["meta"]["asOf"]
    times = [r["startTime"] for r in body["results"]]
    assert times == sorted(times, reverse=True)
    # The second page comes from Redis: no new upstream call.
    client.get(url, {"page": 2, "page_size": 50})
    assert sandbox.route_count(UNBILLED_RECORDS) == 1


def test_filters_sort_and_totals_agree(api, owner_of, big_customer):
    client = api(owner_of(big_customer))
    url = records_url(big_customer["customerNo"], big_customer["bigUnbilledSubscription"])
    every = client.get(url, {"page_size": 1}).json()
    kind = next(iter(every["totals"]["byUsageType"]))
    body = client.get(url, {"usage_type": kind, "sort": "-amount", "page_size": 200}).json()
    assert body["count"] == every["totals"]["byUsageType"][kind]["count"]
    assert {r["usageType"] for r in body["results"]} == {kind}
    amounts = [float(r["amount"]) for r in body["results"]]
    assert amounts == sorted(amounts, reverse=True)


def test_bad_query_parameters_are_field_errors(api, owner_of, small_customer, sandbox):
    client = api(owner_of(small_customer))
    url = records_url(small_customer["customerNo"], "0")
    response = client.get(url, {"page_size": 500, "sort": "colour", "usage_type": "fax"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert {"page_size", "sort", "usage_type.0"} <= set(response.json()["errors"])
    assert sandbox.stats()["total"] == 0


def test_csv_streams_the_whole_filtered_set(api, owner_of, small_customer):
    client = api(owner_of(small_customer))
    summary = client.get(f"/api/v1/customers/{small_customer['customerNo']}/usage").json()
    sub = max(summary["subscriptions"], key=lambda s: s["recordCount"] or 0)
    url = records_url(small_customer["customerNo"], sub["subscriptionNo"])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("usageId,startTime,usageType")
    assert len(lines) - 1 == client.get(url).json()["count"]
    by_accept = client.get(url, HTTP_ACCEPT="text/csv")
    assert by_accept["Content-Type"].startswith("text/csv")


def test_another_customers_ids_answer_404(api, owner_of, small_customer, big_customer, sandbox):
    client = api(owner_of(small_customer))
    mine, theirs = small_customer["customerNo"], big_customer["customerNo"]
    their_sub = big_customer["bigUnbilledSubscription"]
    invoices = sandbox.billing_url("invoice", f"/customers/{theirs}/invoices")
    their_invoice_no = requests.get(invoices, headers=sandbox.headers, timeout=10).json()[
        "invoices"
    ][0]["invoiceNo"]
    answers = [
        client.get(records_url(theirs, their_sub)),
        client.get(records_url(mine, their_sub)),
        client.get(f"/api/v1/customers/{mine}/invoices/{their_invoice_no}/usage"),
        client.get(f"/api/v1/customers/{theirs}/usage"),
        client.get(records_url("9999999", "1")),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    bodies = [{k: v for k, v in a.json().items() if k != "instance"} for a in answers]
    assert all(b == bodies[0] for b in bodies)


def test_a_stale_copy_is_served_and_one_refresh_queued(api, owner_of, small_customer, settings):
    client = api(owner_of(small_customer))
    url = f"/api/v1/customers/{small_customer['customerNo']}/usage"
    assert client.get(url).json()["meta"]["stale"] is False
    settings.CACHE_WINDOWS = {**settings.CACHE_WINDOWS, "unbilled-usage": (0, 3600)}
    r = get_redis()
    # Forget the warm-up refresh the login queued, to count only what stale reads queue.
    r.delete("refresh", *r.keys("*refresh-lock*"))
    first = client.get(url).json()
    second = client.get(url).json()
    assert first["meta"]["stale"] is True and second["meta"]["stale"] is True
    assert r.llen("refresh") == 1  # one task on the refresh queue, not two


def test_the_stale_copy_is_served_when_the_sandbox_fails(
    api, owner_of, small_customer, sandbox, settings
):
    client = api(owner_of(small_customer))
    url = f"/api/v1/customers/{small_customer['customerNo']}/usage"
    fresh = client.get(url).json()
    settings.CACHE_WINDOWS = {**settings.CACHE_WINDOWS, "unbilled-usage": (0, 0)}
    settings.PAYEX_RETRY_ATTEMPTS = 1
    sandbox.faults(errorRate=1.0, errorStatus=503)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json()["meta"]["stale"] is True
    assert answer.json()["subscriptions"] == fresh["subscriptions"]


def test_without_any_copy_a_failing_sandbox_is_a_503_problem(
    api, owner_of, small_customer, sandbox, settings
):
    client = api(owner_of(small_customer))
    settings.PAYEX_RETRY_ATTEMPTS = 1
    sandbox.faults(errorRate=1.0, errorStatus=503)
    answer = client.get(f"/api/v1/customers/{small_customer['customerNo']}/usage")
    assert answer.status_code == 503
    assert answer["Retry-After"]
    assert sandbox.url not in answer.content.decode()


def test_a_refresh_shows_the_sandboxs_new_records(api, owner_of, big_customer, sandbox):
    from billing_bff.access import system_access
    from overview.services import refresh_unbilled

    client = api(owner_of(big_customer))
    url = records_url(big_customer["customerNo"], big_customer["bigUnbilledSubscription"])
    before = client.get(url, {"page_size": 1}).json()["count"]
    sandbox.advance_clock(2 * 3600)
    assert client.get(url, {"page_size": 1}).json()["count"] == before  # still cached
    refresh_unbilled(system_access("501", big_customer["customerNo"]))
    after = client.get(url, {"page_size": 1}).json()["count"]
    assert after > before + 100


def test_refresh_answers_202_with_a_status_link(api, owner_of, small_customer):
    client = api(owner_of(small_customer))
    response = client.post(f"/api/v1/customers/{small_customer['customerNo']}/refresh")
    assert response.status_code == 202
    status_url = response.json()["statusUrl"]
    assert response["Location"] == status_url
    assert client.get(status_url).json()["status"] == "queued"
    again = client.post(f"/api/v1/customers/{small_customer['customerNo']}/refresh")
    assert again.json()["taskId"] == response.json()["taskId"]  # deduplicated
    # Another customer's refresh id is not found here.
    assert (
        client.get(status_url.replace(small_customer["customerNo"], "9999999")).status_code == 404
    )


def test_login_warms_the_users_customers(owner_of, small_customer, big_customer, client):
    from tests.access.actors import PASSWORD, link

    user = owner_of(small_customer)
    link(user, big_customer["customerNo"], "viewer")
    r = get_redis()
    r.delete("refresh")
    answer = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert r.llen("refresh") == 2


def test_an_authorised_request_marks_its_customer_active(api, owner_of, small_customer):
    from billing_bff.activity import active_customers

    client = api(owner_of(small_customer))
    client.get(f"/api/v1/customers/{small_customer['customerNo']}/usage")
    client.get("/api/v1/customers/9999999/usage")  # not theirs: not marked
    assert active_customers(within_seconds=60) == [("501", small_customer["customerNo"])]
