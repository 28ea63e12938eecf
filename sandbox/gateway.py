"""What every /billing/ request goes through before and after its view.

In order: count it in the stats (so faulted requests count too), apply the configured
faults (latency, error, hang), check the bearer token and owner number, pick the view by
method (405 otherwise), render any Problem the view raises for the route's API, and
finally maybe cut the body short (malformed fault). Also the 404/500 handlers and the
middleware that echoes X-Correlation-Id on every response.
"""

import hmac
import re

from django.urls import path

from . import config, faults, problems, stats
from .problems import Problem

# URL placeholders (the contract's names) to view keyword arguments.
PLACEHOLDERS = {
    "ownerNo": "owner_no",
    "customerNo": "customer_no",
    "subscriptionNo": "subscription_no",
    "invoiceNo": "invoice_no",
    "recurringProductId": "recurring_product_id",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_API = re.compile(r"^/billing/(customer|invoice|usage)/")


def billing_route(template: str, **handlers):
    """A URL pattern for `template` (e.g. "/billing/usage/v1/{ownerNo}/invoices/{invoiceNo}")
    with one view per HTTP method, given as GET=..., PATCH=..."""
    api = template.split("/")[2]
    allowed = ", ".join(handlers)
    route = _PLACEHOLDER.sub(r"<str:\1>", template.lstrip("/"))

    def view(request, ownerNo: str, **kwargs):
        stats.count(request.method, template)
        settings = faults.get_faults().snapshot()
        faults.delay(settings)
        if faults.chance(settings["errorRate"]):
            error = faults.injected_error(settings)
            return problems.render(api, error, status=settings["errorStatus"])
        if faults.chance(settings["hangRate"]):
            faults.hang()
        try:
            authenticate(request, ownerNo, expired=settings["tokenExpired"])
            handler = handlers.get(request.method)
            if handler is None:
                raise Problem(
                    "method-not-allowed",
                    f"{request.method} is not allowed here; allowed: {allowed}.",
                    headers={"Allow": allowed},
                )
            response = handler(request, **{PLACEHOLDERS[k]: v for k, v in kwargs.items()})
        except Problem as problem:
            response = problems.render(api, problem)
        if faults.chance(settings["malformedRate"]):
            return faults.malformed(response)
        return response

    view.template = template
    return path(route, view, name=template)


def authenticate(request, owner_no: str, *, expired: bool) -> None:
    cfg = config.get()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), cfg.token.encode()
    ):
        raise Problem(
            "token-invalid",
            "The bearer token is missing or unknown.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if expired:
        raise Problem(
            "token-expired",
            "The bearer token has expired; ask PayEx for a new one.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if owner_no != cfg.owner_no:
        raise Problem(
            "owner-mismatch",
            f"Owner number {owner_no} does not match the token's ledger.",
        )


def _api_of(request) -> str:
    match = _API.match(request.path)
    return match.group(1) if match else "sandbox"


def not_found(request, exception=None):
    if request.path.startswith("/billing/"):
        stats.count(request.method, "(unknown route)")
    problem = Problem("not-found", f"No route {request.method} {request.path}.")
    return problems.render(_api_of(request), problem)


def bad_request(request, exception=None):
    # Django's own refusals (e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE).
    problem = Problem("validation", "The request was refused.", [{"body": "Not acceptable"}])
    return problems.render(_api_of(request), problem)


def server_error(request):
    problem = Problem("internal-error", "The sandbox failed; see its log.")
    return problems.render(_api_of(request), problem)


class CorrelationIdMiddleware:
    """Echo X-Correlation-Id, so a client's logs and the sandbox's answers line up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        correlation_id = request.headers.get("X-Correlation-Id")
        if correlation_id and len(correlation_id) <= 200 and correlation_id.isprintable():
            response["X-Correlation-Id"] = correlation_id
        return response
