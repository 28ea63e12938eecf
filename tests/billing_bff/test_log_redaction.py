"""No customer number, subscription number, e-mail address or token in a log line: the
console handler's output (config.settings.logging) read while the BFF answers."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.utils.log import configure_logging

from billing_bff.logfilters import RedactRequestPaths
from tests.access.actors import bearer, make_user

CUSTOMER = "3996668"
PHONE = "46765474359"
EMAIL = "anna.andersson@example.com"


@pytest.fixture
def console():
    """What the configured console handler writes, as text (its stream swapped)."""

    def configured():
        return next(
            (
                h
                for h in logging.getLogger().handlers
                if any(isinstance(f, RedactRequestPaths) for f in h.filters)
            ),
            None,
        )

    if configured() is None:
        # A Celery worker started by an earlier test took over the root logger: set up
        # the project's logging again, as a web process does at start.
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    handler = configured()
    assert handler is not None
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def assert_no_personal_data(text: str) -> None:
    for secret in (CUSTOMER, PHONE, EMAIL, "anna.andersson", "Bearer", "eyJ"):
        assert secret not in text, (secret, text)


@pytest.mark.django_db
def test_a_404_under_a_subscription_is_logged_by_its_route(client, console):
    user = make_user("stranger")  # linked to no customer: the route answers 404
    response = client.get(f"/api/v1/customers/{CUSTOMER}/subscriptions/{PHONE}", **bearer(user))
    assert response.status_code == 404
    text = console.getvalue()
    assert (
        "WARNING django.request request_id=" in text
        and "Not Found: /api/v1/customers/{customerNo}/subscriptions/{subscriptionNo}" in text
    ), text
    assert_no_personal_data(text)


@pytest.mark.django_db
def test_a_page_404_is_logged_by_its_route(client, console):
    client.force_login(make_user("page-user"))
    client.get(f"/invoices/{PHONE}/")
    client.get(f"/subscriptions/{PHONE}/usage/")
    text = console.getvalue()
    assert_no_personal_data(text)


@pytest.mark.django_db
def test_a_path_of_no_route_keeps_only_its_words(client, console):
    response = client.get(f"/api/v1/customers/{CUSTOMER}/{EMAIL}/nothing")
    assert response.status_code == 404
    text = console.getvalue()
    assert "Not Found: /api/v1/customers/*/*/nothing" in text, text
    assert_no_personal_data(text)


@pytest.mark.django_db
def test_a_client_error_is_logged_without_its_traceback(client, console, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get(f"/api/v1/customers/{CUSTOMER}", HTTP_HOST="evil.example")
    assert response.status_code == 400
    text = console.getvalue()
    assert "django.security.DisallowedHost" in text, text
    assert "Traceback" not in text
    assert_no_personal_data(text)


def test_runservers_access_lines_carry_routes_and_no_query_values(console):
    # As django.core.servers.basehttp writes them.
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /api/v1/customers/{CUSTOMER}/subscriptions/{PHONE}/usage?q={EMAIL}&page=2 HTTP/1.1",
        "200",
        "1234",
        extra={"status_code": 200},
    )
    text = console.getvalue()
    assert (
        '"GET /api/v1/customers/{customerNo}/subscriptions/{subscriptionNo}/usage?q=*&page=* '
        'HTTP/1.1" 200 1234' in text
    ), text
    assert_no_personal_data(text)


@pytest.mark.django_db
def test_other_lines_pass_unchanged(console):
    logging.getLogger("exports.services").info("export skips %d invoices", 12)
    assert "export skips 12 invoices" in console.getvalue()


def test_gunicorns_access_lines_carry_route_templates_and_no_address():
    """The access log of config/gunicorn.py: one line, formatted by gunicorn itself."""
    import datetime
    import types

    from gunicorn.config import Config

    from billing_bff.accesslog import RedactedAccessLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", "billing_bff.accesslog.RedactedAccessLogger")
    config.set("access_log_format", '%(h)s %(t)s "%(r)s" %(U)s %(q)s %(s)s %(a)s')
    logger = RedactedAccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/customers/3996668/subscriptions/46765474359?page=2&q=anna@x.se",
        "PATH_INFO": "/api/v1/customers/3996668/subscriptions/46765474359",
        "QUERY_STRING": "page=2&q=anna@x.se",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.7",
        "HTTP_USER_AGENT": "agent",
    }
    response = types.SimpleNamespace(status="200 OK", sent=10, headers=[("Set-Cookie", "s=1")])
    request = types.SimpleNamespace(headers=[("AUTHORIZATION", "Bearer secret")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=0.01))
    line = config.access_log_format % atoms
    assert "3996668" not in line and "46765474359" not in line and "anna" not in line
    assert "198.51.100.7" not in line and "secret" not in line
    template = "/api/v1/customers/{customerNo}/subscriptions/{subscriptionNo}"
    assert f'"GET {template}?page=*&q=* HTTP/1.1"' in line
