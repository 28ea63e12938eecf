"""Errors outside the views: Django's own 404 is problem+json under /api/, a page elsewhere."""

import pytest
from django.test import Client

from tests.access.actors import bearer, link, make_user


@pytest.mark.django_db
def test_an_unknown_api_route_is_a_problem(client):
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["type"] == "/problems/not-found"
    assert body["instance"].startswith("urn:request:")


@pytest.mark.django_db
def test_an_unknown_page_is_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/", "/api/v2/me", "/api/v1/customers/123/nothing", "/api/schema/x"]
)
def test_every_unknown_api_path_is_a_404_problem(client, path):
    assert_problem(client.get(path), 404)


@pytest.mark.django_db
def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(client):
    user = make_user("method-user")
    body = assert_problem(client.put("/api/v1/me", **bearer(user)), 405)
    assert body["type"] == "/problems/method-not-allowed"
    response = client.delete("/api/v1/me", **bearer(user))
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}
    # A public route refuses a method to anybody the same way.
    public = client.post("/api/schema/")
    assert_problem(public, 405)
    assert "GET" in public["Allow"]


@pytest.mark.django_db
def test_an_unacceptable_accept_header_is_a_406_problem(client):
    user = make_user("accept-user")
    response = client.get("/api/v1/me", HTTP_ACCEPT="text/csv", **bearer(user))
    assert assert_problem(response, 406)["type"] == "/problems/not-acceptable"


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_415_problem(client):
    response = client.post("/api/v1/auth/token", "username=a", content_type="text/plain")
    assert assert_problem(response, 415)["type"] == "/problems/unsupported-media-type"


@pytest.mark.django_db
def test_a_failing_api_view_is_a_500_problem_without_a_trace(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("token=sandbox-501 at /billing/customer/v1/501/customers")

    monkeypatch.setattr("billing_bff.apis._me_answer", broken)
    user = make_user("broken-user")
    response = client.get("/api/v1/me", **bearer(user))
    body = assert_problem(response, 500)
    assert body["type"] == "/problems/internal-error"
    assert_nothing_leaks(response)


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_failing")
def test_a_failure_outside_drf_is_a_500_problem_without_a_trace():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test-only/failing")
    body = assert_problem(response, 500)
    assert body["type"] == "/problems/internal-error"
    assert_nothing_leaks(response)


def assert_nothing_leaks(response) -> None:
    text = response.content.decode()
    for secret in ("Traceback", "RuntimeError", "sandbox-501", "/billing/"):
        assert secret not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, accept",
    [({"format": "csv"}, None), ({}, "text/csv"), ({"format": "csv", "page_size": 999}, None)],
)
def test_a_problem_is_json_even_when_csv_was_asked_for(client, sandbox, params, accept):
    customer = sandbox.customers()[0]["customerNo"]
    user = make_user("csv-user")
    link(user, customer, "owner")
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    url = f"/api/v1/customers/{customer}/subscriptions/0/usage"
    response = client.get(url, params, **headers, **bearer(user))
    assert_problem(response, 400 if "page_size" in params else 404)
