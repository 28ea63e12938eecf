"""The client's transport rules against a scripted HTTP server on loopback.

The sandbox covers the contract; this server lets a test script exact answers
(a Retry-After date, a camelCase problem) and read the headers the client sent.
"""

import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_guid import clear_guid, set_guid

from billing_bff.upstream import errors
from billing_bff.upstream.client import PayExClient
from billing_bff.upstream.deadline import deadline


class Script:
    def __init__(self):
        self.answers: list[tuple[int, dict, bytes]] = []
        self.seen: list[dict] = []


@pytest.fixture
def scripted():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            script.seen.append({"path": self.path, **dict(self.headers)})
            status, headers, body = script.answers.pop(0) if script.answers else (200, {}, b"{}")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PATCH(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_port}"
    yield script
    server.shutdown()


@pytest.fixture
def fast_retries(settings):
    settings.PAYEX_RETRY_ATTEMPTS = 3
    settings.PAYEX_RETRY_BACKOFF = 0.01
    settings.PAYEX_RETRY_BACKOFF_MAX = 2.0
    settings.PAYEX_BREAKER_MIN_CALLS = 100


def test_every_call_carries_the_token_and_the_request_id_as_correlation_id(scripted, fast_retries):
    client = PayExClient(base_url=scripted.url, owner_no="501", token="secret-token")
    set_guid("0123456789abcdef0123456789abcdef")
    try:
        client.get_customer(customer_no="1234567")
    finally:
        clear_guid()
    sent = scripted.seen[0]
    assert sent["path"] == "/billing/customer/v1/501/customers/1234567"
    assert sent["Authorization"] == "Bearer secret-token"
    assert sent["X-Correlation-Id"] == "0123456789abcdef0123456789abcdef"


def test_ids_cannot_leave_their_path_segment(scripted, fast_retries):
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    client.get_subscription(customer_no="1234567", subscription_no="../../invoices/1")
    assert scripted.seen[0]["path"] == (
        "/billing/customer/v1/501/customers/1234567/subscriptions/..%2F..%2Finvoices%2F1"
    )


def test_a_retry_after_date_is_honoured(scripted, fast_retries):
    problem = json.dumps({"type": "billing/customer/problems/unavailable", "status": 503}).encode()
    scripted.answers = [
        (503, {"Retry-After": formatdate(time.time() + 2, usegmt=True)}, problem),
        (200, {"Content-Type": "application/json"}, b'{"customerNo": "1234567"}'),
    ]
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    started = time.monotonic()
    assert client.get_customer(customer_no="1234567") == {"customerNo": "1234567"}
    # An HTTP-date has one-second resolution: between one and two seconds were waited.
    assert time.monotonic() - started > 0.9
    assert len(scripted.seen) == 2


def test_a_retry_after_longer_than_the_backoff_cap_is_not_waited_for(scripted, fast_retries):
    scripted.answers = [(503, {"Retry-After": "120"}, b"")]
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    started = time.monotonic()
    with pytest.raises(errors.UpstreamUnavailable):
        client.get_customer(customer_no="1234567")
    assert time.monotonic() - started < 1
    assert len(scripted.seen) == 1


def test_no_retry_starts_after_the_request_deadline(scripted, fast_retries, settings):
    settings.PAYEX_RETRY_BACKOFF = 1.0
    settings.PAYEX_RETRY_BACKOFF_MAX = 1.0
    scripted.answers = [(503, {"Retry-After": "1"}, b""), (200, {}, b"{}")]
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    with deadline(0.5), pytest.raises(errors.UpstreamUnavailable):
        client.get_customer(customer_no="1234567")
    assert len(scripted.seen) == 1


def test_camel_case_problems_are_read_too(scripted, fast_retries):
    body = json.dumps(
        {
            "type": "billing/customer/service/validation",
            "title": "A validation error occurred",
            "status": 400,
            "instance": "dd07e588",
            "problems": [{"emailAddress": "Not an email"}],
        }
    ).encode()
    scripted.answers = [(400, {"Content-Type": "application/problem+json"}, body)]
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    with pytest.raises(errors.UpstreamValidation) as caught:
        client.patch_customer(customer_no="1234567", changes={"emailAddress": "x"})
    assert caught.value.errors == {"emailAddress": ["Not an email"]}
    assert caught.value.instance == "dd07e588"


def test_a_read_refused_as_malformed_is_a_not_found(scripted, fast_retries):
    body = json.dumps(
        {"Type": "billing/customer/problems/validation", "Status": 400, "Instance": "abc"}
    ).encode()
    scripted.answers = [(400, {"Content-Type": "application/problem+json"}, body)]
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    with pytest.raises(errors.UpstreamNotFound) as caught:
        client.get_subscription(customer_no="1234567", subscription_no="x--")
    assert caught.value.status_code == 404
    assert caught.value.instance == "abc"


def test_a_list_where_an_object_was_promised_is_a_bad_gateway(scripted, fast_retries):
    scripted.answers = [(200, {"Content-Type": "application/json"}, b"[1, 2, 3]")]
    client = PayExClient(base_url=scripted.url, owner_no="501", token="t")
    with pytest.raises(errors.UpstreamBadGateway):
        client.get_customer(customer_no="1234567")
    assert len(scripted.seen) == 1


def test_a_refused_connection_is_unavailable_with_retry_after(fast_retries, settings):
    settings.PAYEX_BREAKER_MIN_CALLS = 100
    client = PayExClient(base_url="http://127.0.0.1:9", owner_no="501", token="t")
    with pytest.raises(errors.UpstreamUnavailable) as caught:
        client.get_customer(customer_no="1234567")
    assert caught.value.status_code == 503
    assert caught.value.retry_after
