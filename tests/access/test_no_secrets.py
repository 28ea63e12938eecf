"""No response and no log line holds the PayEx token or a password."""

import logging

import pytest
from django.conf import settings
from django.test import Client

from tests.access.actors import PASSWORD


@pytest.mark.django_db
def test_a_whole_session_leaks_neither_the_payex_token_nor_passwords(caplog, owner, sandbox):
    caplog.set_level(logging.DEBUG)
    secrets = [settings.PAYEX_TOKEN, PASSWORD, "a-wrong-password"]
    assert all(secrets)
    api, browser = Client(), Client()
    responses = [
        api.get("/readyz"),  # the one route here that calls PayEx with the token
        api.post(
            "/api/v1/auth/token",
            {"username": "olivia", "password": "a-wrong-password"},
            content_type="application/json",
        ),
        api.post(
            "/api/v1/auth/token",
            {"username": "nobody", "password": "a-wrong-password"},
            content_type="application/json",
        ),
    ]
    pair = api.post(
        "/api/v1/auth/token",
        {"username": "olivia", "password": PASSWORD},
        content_type="application/json",
    )
    assert pair.status_code == 200
    responses.append(pair)
    access, refresh = pair.json()["access"], pair.json()["refresh"]
    responses.append(api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {access}"))
    rotated = api.post(
        "/api/v1/auth/token/refresh", {"refresh": refresh}, content_type="application/json"
    )
    responses.append(rotated)
    responses.append(
        api.post(
            "/api/v1/auth/token/refresh", {"refresh": refresh}, content_type="application/json"
        )
    )  # reuse: logged as a warning
    responses.append(
        api.post(
            "/api/v1/auth/logout",
            {"refresh": rotated.json()["refresh"]},
            content_type="application/json",
        )
    )
    responses.append(
        browser.post("/login/", {"username": "olivia", "password": "a-wrong-password"})
    )
    responses.append(browser.post("/login/", {"username": "olivia", "password": PASSWORD}))
    responses.append(browser.get("/"))

    assert responses[0].status_code == 200, "the sandbox must answer for the upstream to be used"
    assert caplog.records, "the flow logs something; the check below must see it"
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    for secret in secrets:
        assert secret not in logged
        for response in responses:
            assert secret.encode() not in response.content
            assert secret not in str(response.headers)
    # Tokens handed to the client are not logged either.
    assert access not in logged and refresh not in logged
