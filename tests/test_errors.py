"""Errors outside the views: Django's own 404 is problem+json under /api/, a page elsewhere."""

import pytest


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
