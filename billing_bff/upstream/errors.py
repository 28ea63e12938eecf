"""Typed upstream errors: what a PayEx answer or a transport failure becomes.

The table is closed. Each class carries the status the BFF answers with, so one
handler (billing_bff.problems) renders them all, and none carries an upstream URL,
token or ledger number into a response. Those that mean what a BFF problem means
subclass it (UpstreamNotFound is a NotFound, UpstreamConflict a Conflict,
UpstreamValidation a ValidationFailed), so a caller catches one class, not a pair.

upstream answer                               error                 end user gets
400 validation of a write                     UpstreamValidation    400, field errors
404 *-not-found, invoice-has-no-usage,        UpstreamNotFound      404
    400 validation of a read (malformed id)
409 conflict                                  UpstreamConflict      409
401 token-expired, token-invalid,             UpstreamUnauthorized  503 and an operator alarm
    owner-mismatch                                                  (never 401: it would log
                                                                    the user out)
connection failure, 503, breaker open         UpstreamUnavailable   503 + Retry-After
    (CircuitOpen), bulkhead full (BulkheadFull)
read timeout, 504, request deadline spent     UpstreamTimeout       504 + Retry-After
500, 502, a body that is not the promised     UpstreamBadGateway    502 + Retry-After
    JSON, anything unlisted
"""

from __future__ import annotations

from rest_framework import status

from billing_bff.problems import Conflict, NotFound, Problem, ValidationFailed


class UpstreamError(Problem):
    """Base of every upstream failure. `instance` is PayEx's problem id, for the logs only."""

    api: str = ""
    upstream_status: int | None = None
    instance: str | None = None
    # The upstream's Retry-After, when it sent one: the client waits at least that long.
    retry_after_hint: float | None = None
    # Failures that say the upstream is unhealthy count towards its circuit breaker.
    counts_as_failure = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: dict | None = None,
        api: str = "",
        upstream_status: int | None = None,
        instance: str | None = None,
    ):
        super().__init__(detail, errors=errors)
        self.api = api
        self.upstream_status = upstream_status
        self.instance = instance


class UpstreamValidation(UpstreamError, ValidationFailed):
    """The billing system refused a write's fields."""


class UpstreamNotFound(UpstreamError, NotFound):
    """The billing system has no such resource (it reads as the BFF's own NotFound)."""

    def __init__(self, detail: str | None = None, *, what: str = "resource", **kwargs):
        super().__init__(detail, **kwargs)
        self.what = what


class UpstreamConflict(UpstreamError, Conflict):
    default_detail = "The billing system refused the change in the resource's current state."


class UpstreamUnauthorized(UpstreamError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "upstream-unavailable"
    title = "Billing system unavailable"
    default_detail = "The billing system cannot be reached right now. Please try again later."
    description = "The billing system cannot be reached; see `Retry-After`."
    retry_after = 60


class UpstreamUnavailable(UpstreamError):
    status_code = UpstreamUnauthorized.status_code
    default_code = UpstreamUnauthorized.default_code
    title = UpstreamUnauthorized.title
    default_detail = UpstreamUnauthorized.default_detail
    description = UpstreamUnauthorized.description
    retry_after = 30
    counts_as_failure = True


class CircuitOpen(UpstreamUnavailable):
    """The breaker is open: failed fast, the upstream was not called.

    Like BulkheadFull it is transient (`counts_as_failure`, so a task retries later), but
    neither ever reaches the breaker: the client records only answers of the upstream.
    """


class BulkheadFull(UpstreamUnavailable):
    """This process already runs as many calls to the API as it may: failed fast, the
    upstream was not called. Says nothing about the upstream's health."""

    retry_after = 5


class UpstreamTimeout(UpstreamError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_code = "upstream-timeout"
    title = "Billing system too slow"
    default_detail = "The billing system did not answer in time. Please try again."
    description = "The billing system did not answer in time; see `Retry-After`."
    retry_after = 10
    counts_as_failure = True


class UpstreamBadGateway(UpstreamError):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "upstream-error"
    title = "Billing system error"
    default_detail = "The billing system answered with an error. Please try again later."
    description = "The billing system answered with an error; see `Retry-After`."
    retry_after = 30
    counts_as_failure = True
