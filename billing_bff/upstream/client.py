"""The PayEx Billing client: every call the BFF makes to the Customer, Invoice and Usage APIs.

Nothing else in the BFF talks HTTP to PayEx. Each call:
- builds its URL from the route table (ids are percent-encoded, so no id can climb
  out of its path segment) and carries the bearer token and a correlation id equal to
  the BFF's request id;
- has connect and read timeouts, cut to what is left of the request's deadline;
- is retried with exponential backoff and full jitter, honouring Retry-After, only when
  repeating is safe (GET, or a POST carrying an `externalReference`) and only after a
  connection error, 502, 503 or 504; a read timeout is not retried, so a hanging
  upstream costs one timeout, not three;
- passes through its API's circuit breaker (billing_bff.upstream.breaker), which is told
  the call's one outcome after its retries, and holds a slot of its API's bulkhead
  (billing_bff.upstream.bulkhead) while it runs, so a full bulkhead fails it at once;
- ends in parsed JSON or in one typed error of billing_bff.upstream.errors (a read
  refused as malformed is a not-found: a read's only input is the ids in its path);
- leaves one log line (method, route template, status, duration, attempt, correlation
  id: no ids, no token, no URL) and its metrics.
"""

from __future__ import annotations

import logging
import math
import random
import time
import uuid
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import orjson
import requests
from django.conf import settings
from django_guid import get_guid

from billing_bff import timing

from . import bulkhead, errors, routes
from .breaker import PASS, Breaker
from .deadline import remaining
from .metrics import UPSTREAM_CALLS, UPSTREAM_LATENCY
from .problems import error_from_problem
from .session import get_session

logger = logging.getLogger("billing_bff.upstream")

RETRYABLE_STATUSES = frozenset({502, 503, 504})


def correlation_id() -> str:
    return get_guid() or uuid.uuid4().hex


def _retry_after_seconds(response: requests.Response | None) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _parsed(response: requests.Response):
    """The body's JSON, or None when it is none: orjson (fast, and lean on the big usage
    bodies), and requests' own reading for what orjson refuses (another encoding than
    UTF-8, NaN, integers past 64 bits), so what parses is what parsed before."""
    try:
        return orjson.loads(response.content)
    except ValueError:
        pass
    try:
        return response.json()
    except ValueError:
        return None


class PayExClient:
    """A client for one ledger. `PayExClient()` reads the settings; tests may pass their own."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        owner_no: str | None = None,
        token: str | None = None,
    ) -> None:
        self.base_url = (base_url or settings.PAYEX_BASE_URL).rstrip("/")
        self.owner_no = owner_no or settings.PAYEX_OWNER_NO
        self._token = token or settings.PAYEX_TOKEN

    def __repr__(self) -> str:  # never shows the token
        return f"PayExClient(owner_no={self.owner_no!r})"

    # --- Customer API -----------------------------------------------------------------
    def get_customer(self, *, customer_no: str) -> dict:
        return self._get("customer", "/customers/{customerNo}", customerNo=customer_no)

    def patch_customer(self, *, customer_no: str, changes: dict) -> dict:
        return self._call(
            "PATCH", "customer", "/customers/{customerNo}", {"customerNo": customer_no}, changes
        )

    def list_subscriptions(self, *, customer_no: str) -> dict:
        return self._get(
            "customer", "/customers/{customerNo}/subscriptions", customerNo=customer_no
        )

    def get_subscription(self, *, customer_no: str, subscription_no: str) -> dict:
        return self._get(
            "customer",
            "/customers/{customerNo}/subscriptions/{subscriptionNo}",
            customerNo=customer_no,
            subscriptionNo=subscription_no,
        )

    def list_recurring_products(
        self, *, customer_no: str, subscription_no: str | None = None
    ) -> dict:
        template, params = self._recurring_parent(customer_no, subscription_no)
        return self._get("customer", template, **params)

    def create_recurring_product(
        self, *, customer_no: str, subscription_no: str | None = None, product: dict
    ) -> dict:
        template, params = self._recurring_parent(customer_no, subscription_no)
        return self._call("POST", "customer", template, params, product)

    def get_recurring_product(
        self, *, customer_no: str, subscription_no: str | None = None, product_id: str
    ) -> dict:
        template, params = self._recurring_item(customer_no, subscription_no, product_id)
        return self._get("customer", template, **params)

    def patch_recurring_product(
        self,
        *,
        customer_no: str,
        subscription_no: str | None = None,
        product_id: str,
        changes: dict,
    ) -> dict:
        template, params = self._recurring_item(customer_no, subscription_no, product_id)
        return self._call("PATCH", "customer", template, params, changes)

    def delete_recurring_product(
        self, *, customer_no: str, subscription_no: str | None = None, product_id: str
    ) -> None:
        template, params = self._recurring_item(customer_no, subscription_no, product_id)
        self._call("DELETE", "customer", template, params)

    # --- Invoice API ------------------------------------------------------------------
    def list_invoices(self, *, customer_no: str) -> dict:
        return self._get("invoice", "/customers/{customerNo}/invoices", customerNo=customer_no)

    def get_invoice(self, *, customer_no: str, invoice_no: str) -> dict:
        return self._get(
            "invoice",
            "/customers/{customerNo}/invoices/{invoiceNo}",
            customerNo=customer_no,
            invoiceNo=invoice_no,
        )

    # --- Usage API ----------------------------------------------------------------------
    def get_billed_usage_summary(self, *, invoice_no: str) -> dict:
        return self._get("usage", "/invoices/{invoiceNo}", invoiceNo=invoice_no)

    def get_billed_usage(self, *, invoice_no: str, subscription_no: str) -> dict:
        return self._get(
            "usage",
            "/invoices/{invoiceNo}/subscriptions/{subscriptionNo}",
            invoiceNo=invoice_no,
            subscriptionNo=subscription_no,
        )

    def get_unbilled_usage_summary(self, *, customer_no: str) -> dict:
        return self._get("usage", "/customers/{customerNo}", customerNo=customer_no)

    def get_unbilled_usage(self, *, customer_no: str, subscription_no: str) -> dict:
        return self._get(
            "usage",
            "/customers/{customerNo}/subscriptions/{subscriptionNo}",
            customerNo=customer_no,
            subscriptionNo=subscription_no,
        )

    # --- Hypermedia ---------------------------------------------------------------------
    def operations(self, resource: dict, *, customer_no: str) -> list[dict[str, str]]:
        """The resource's operations with BFF hrefs (not yet narrowed to the user's role)."""
        return routes.bff_operations(resource, owner_no=self.owner_no, customer_no=customer_no)

    def ping(self) -> None:
        """Readiness: the upstream answers and accepts our token.

        Asks for a customer number that cannot exist; its not-found proves both. One
        attempt, outside the breaker (it takes no half-open probe slot and its outcome
        does not count), inside the bulkhead (a hanging upstream holds no extra thread).
        """
        try:
            self._call(
                "GET", "customer", "/customers/{customerNo}", {"customerNo": "0"}, observed=False
            )
        except errors.UpstreamNotFound:
            return

    # --- Transport ----------------------------------------------------------------------
    @staticmethod
    def _recurring_parent(customer_no: str, subscription_no: str | None):
        if subscription_no is None:
            return "/customers/{customerNo}/recurring-products", {"customerNo": customer_no}
        return (
            "/customers/{customerNo}/subscriptions/{subscriptionNo}/recurring-products",
            {"customerNo": customer_no, "subscriptionNo": subscription_no},
        )

    @classmethod
    def _recurring_item(cls, customer_no: str, subscription_no: str | None, product_id: str):
        template, params = cls._recurring_parent(customer_no, subscription_no)
        return template + "/{recurringProductId}", {**params, "recurringProductId": product_id}

    def _get(self, api: str, template: str, **params: str) -> dict:
        return self._call("GET", api, template, params)

    def _call(
        self,
        method: str,
        api: str,
        template: str,
        params: dict,
        body: dict | None = None,
        *,
        observed: bool = True,
    ) -> dict:
        """One client call: through the breaker and the bulkhead, then its attempts.

        The breaker is asked once and told the call's one outcome after its retries (the
        last answer); a call that never reached the upstream tells it nothing. A call
        that is not `observed` (readiness) passes outside the breaker: it neither takes a
        half-open probe slot nor counts.
        """
        route = routes.find(api, template)
        path = route.upstream_template.format(
            ownerNo=quote(str(self.owner_no), safe=""),
            **{name: quote(str(value), safe="") for name, value in params.items()},
        )
        idempotent = method == "GET" or (
            method == "POST" and bool((body or {}).get("externalReference"))
        )
        cid = correlation_id()
        headers = {
            "Authorization": f"Bearer {self._token}",
            settings.PAYEX_CORRELATION_HEADER: cid,
        }
        breaker = Breaker(api) if observed else None
        permit = breaker.allow() if breaker is not None else PASS
        if not permit.allowed:
            error = errors.CircuitOpen(api=route.api)
            error.retry_after = max(1, math.ceil(permit.wait))
            self._log(method, route, "breaker-open", 0.0, 1, cid, error=error)
            raise error
        # A half-open probe makes one attempt: a sick upstream gets a probe, not a burst.
        retries = idempotent and observed and not permit.probe
        attempts = max(1, settings.PAYEX_RETRY_ATTEMPTS) if retries else 1
        healthy: bool | None = None  # the last answer's verdict; None: nothing reached it
        try:
            with bulkhead.slot(api):
                for attempt in range(1, attempts + 1):
                    error, response, sent = self._attempt(
                        method, route, path, body, headers, attempt=attempt, cid=cid
                    )
                    if sent:
                        healthy = error is None or not error.counts_as_failure
                    if error is None:
                        return response
                    self._pause_before_retry(error, attempt, attempts)
        except errors.BulkheadFull as error:
            self._log(method, route, "bulkhead-full", 0.0, 1, cid, error=error)
            raise
        finally:
            if breaker is not None:
                if healthy is None:
                    breaker.cancel(permit)
                else:
                    breaker.record(permit, ok=healthy)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _pause_before_retry(error: errors.UpstreamError, attempt: int, attempts: int) -> None:
        """Sleep before the next attempt, or raise `error` when there must be none."""
        retryable = attempt < attempts and (
            error.upstream_status in RETRYABLE_STATUSES
            # A connection that failed before any answer; not a read timeout.
            or (error.upstream_status is None and type(error) is errors.UpstreamUnavailable)
        )
        if not retryable:
            raise error
        delay = random.uniform(  # noqa: S311 - jitter, not security
            0, min(settings.PAYEX_RETRY_BACKOFF_MAX, settings.PAYEX_RETRY_BACKOFF * 2**attempt)
        )
        hinted = error.retry_after_hint
        if hinted is not None:
            if hinted > settings.PAYEX_RETRY_BACKOFF_MAX:
                raise error
            delay = max(delay, hinted)
        left = remaining()
        if left is not None and left <= delay:
            raise error
        time.sleep(delay)

    def _attempt(self, method, route, path, body, headers, *, attempt, cid):
        """One try: (error or None, parsed body or None, whether it reached the upstream).

        Logs and counts it.
        """
        left = remaining()
        if left is not None and left <= 0:
            self._log(method, route, "deadline", 0.0, attempt, cid)
            return errors.UpstreamTimeout(api=route.api), None, False
        connect, read = settings.PAYEX_CONNECT_TIMEOUT, settings.PAYEX_READ_TIMEOUT
        if left is not None:
            connect, read = min(connect, left), min(read, left)
        started = time.monotonic()
        response = None
        try:
            response = get_session(route.api).request(
                method, self.base_url + path, json=body, headers=headers, timeout=(connect, read)
            )
            error, data = self._interpret(method, route, response)
        except requests.exceptions.ConnectTimeout:
            error, data = errors.UpstreamUnavailable(api=route.api), None
        except requests.exceptions.Timeout:
            error, data = errors.UpstreamTimeout(api=route.api), None
        except requests.exceptions.ConnectionError:
            error, data = errors.UpstreamUnavailable(api=route.api), None
        except requests.exceptions.RequestException:
            error, data = errors.UpstreamBadGateway(api=route.api), None
        duration = time.monotonic() - started
        timing.add("upstream", duration)
        status = response.status_code if response is not None else None
        self._log(method, route, status or "none", duration, attempt, cid, error=error)
        UPSTREAM_LATENCY.labels(route.api, method, route.upstream_template).observe(duration)
        if error is not None:
            error.retry_after_hint = _retry_after_seconds(response)
        return error, data, True

    def _interpret(self, method: str, route: routes.Route, response: requests.Response):
        status = response.status_code
        if status == 204:
            return None, None
        data = _parsed(response)
        if 200 <= status < 300:
            if not isinstance(data, dict):
                return errors.UpstreamBadGateway(api=route.api, upstream_status=status), None
            return None, data
        error = error_from_problem(api=route.api, status=status, body=data)
        if method == "GET" and isinstance(error, errors.UpstreamValidation):
            # A read carries nothing but ids in its path: one PayEx refuses as malformed
            # names nothing that exists, so it is a not-found like any other.
            error = errors.UpstreamNotFound(
                api=route.api, upstream_status=status, instance=error.instance
            )
        return error, None

    def _log(self, method, route, status, duration, attempt, cid, *, error=None) -> None:
        outcome = "ok" if error is None else error.default_code
        if isinstance(error, errors.CircuitOpen | errors.BulkheadFull):
            # Refused here, the upstream was not called.
            outcome = "circuit-open" if isinstance(error, errors.CircuitOpen) else "bulkhead-full"
        UPSTREAM_CALLS.labels(route.api, method, route.upstream_template, outcome).inc()
        level = logging.INFO
        if isinstance(error, errors.UpstreamUnauthorized):
            level = logging.ERROR
        elif isinstance(error, errors.CircuitOpen):
            pass  # the breaker logged its opening; one line per refused call is enough
        elif error is not None and error.counts_as_failure:
            level = logging.WARNING
        logger.log(
            level,
            "upstream call api=%s method=%s route=%s status=%s duration_ms=%.1f attempt=%d "
            "correlation_id=%s%s",
            route.api,
            method,
            route.upstream_template,
            status,
            duration * 1000,
            attempt,
            cid,
            f" problem_instance={error.instance}" if error is not None and error.instance else "",
        )
        if isinstance(error, errors.UpstreamUnauthorized):
            logger.error(
                "ALARM upstream rejected the BFF's credentials api=%s status=%s "
                "problem_instance=%s correlation_id=%s: check PAYEX_TOKEN, PAYEX_OWNER_NO "
                "and the client certificate",
                route.api,
                status,
                error.instance,
                cid,
            )


def get_client() -> PayExClient:
    return PayExClient()


def ping() -> None:
    get_client().ping()
