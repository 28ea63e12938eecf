"""Typed upstream errors: what a PayEx answer or a transport failure becomes.

The table is closed. Each class carries the status the BFF answers with, so one
handler (billing_bff.problems) renders them all, and none carries an upstream URL,
token or ledger number into a response.

upstream answer                               error                 end user gets
400 validation of a write                     UpstreamValidation    400, field errors
404 *-not-found, invoice-has-no-usage,        UpstreamNotFound      404
    400 validation of a read (malformed id)
409 conflict                                  UpstreamConflict      409
401 token-expired, token-invalid,             UpstreamUnauthorized  503 and an operator alarm
    owner-mismatch                                                  (never 401: it would log
                                                                    the user out)
connection failure, 503, breaker open         UpstreamUnavailable   503 + Retry-After
read timeout, 504, request deadline spent     UpstreamTimeout       504 + Retry-After
500, 502, a body that is not the promised     UpstreamBadGateway    502 + Retry-After
    JSON, anything unlisted
"""

from __future__ import annotations

from rest_framework import status

from billing_bff.problems import Problem


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


class UpstreamValidation(UpstreamError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "validation"
    title = "Validation failed"
    default_detail = "Some fields are not valid."


class UpstreamNotFound(UpstreamError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not-found"
    title = "Not found"
    # Identical to billing_bff.problems.NotFound: what does not exist and what a user may
    # not see must read the same.
    default_detail = "The resource does not exist, or you may not see it."

    def __init__(self, detail: str | None = None, *, what: str = "resource", **kwargs):
        super().__init__(detail, **kwargs)
        self.what = what


class UpstreamConflict(UpstreamError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    title = "Conflict"
    default_detail = "The billing system refused the change in the resource's current state."


class UpstreamUnauthorized(UpstreamError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "upstream-unavailable"
    title = "Billing system unavailable"
    default_detail = "The billing system cannot be reached right now. Please try again later."
    retry_after = 60


class UpstreamUnavailable(UpstreamError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "upstream-unavailable"
    title = "Billing system unavailable"
    default_detail = "The billing system cannot be reached right now. Please try again later."
    retry_after = 30
    counts_as_failure = True


class CircuitOpen(UpstreamUnavailable):
    """The breaker is open: failed fast, the upstream was not called."""


class UpstreamTimeout(UpstreamError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_code = "upstream-timeout"
    title = "Billing system too slow"
    default_detail = "The billing system did not answer in time. Please try again."
    retry_after = 10
    counts_as_failure = True


class UpstreamBadGateway(UpstreamError):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "upstream-error"
    title = "Billing system error"
    default_detail = "The billing system answered with an error. Please try again later."
    retry_after = 30
    counts_as_failure = True
