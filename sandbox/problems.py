"""Problem responses, shaped as PayEx writes them (application/problem+json, PascalCase keys).

`Type` is `billing/{api}/problems/{code}`; every problem gets a fresh `Instance` (uuid4),
which PayEx asks callers to quote in support questions. Views raise `Problem`; the
gateway renders it for the API the route belongs to.
"""

import json
import uuid

from django.http import HttpResponse

# code: (status, title)
CODES = {
    "validation": (400, "A validation error occurred"),
    "customer-not-found": (404, "Customer not found"),
    "subscription-not-found": (404, "Subscription not found"),
    "invoice-not-found": (404, "Invoice not found"),
    "invoice-has-no-usage": (404, "Invoice has no usage"),
    "recurring-product-not-found": (404, "Recurring product not found"),
    "conflict": (409, "Conflict"),
    "token-invalid": (401, "Token invalid"),
    "token-expired": (401, "Token expired"),
    "owner-mismatch": (401, "Owner number does not match token"),
    # Not in PayEx's list, so named here: what the sandbox answers for unknown routes,
    # wrong methods and injected server errors.
    "not-found": (404, "Resource not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "internal-error": (500, "Internal server error"),
    "service-unavailable": (503, "Service unavailable"),
}


class Problem(Exception):
    """Raised by a view; becomes the problem document for `code` (see CODES)."""

    def __init__(
        self,
        code: str,
        detail: str,
        problems: list[dict] | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.code, self.detail, self.problems = code, detail, problems
        self.headers = headers or {}


def type_for(api: str, code: str) -> str:
    # PayEx's Usage API page spells this one code with a space: "subscription-not found".
    # The sandbox copies that quirk in the Usage API only, so clients learn to match codes
    # leniently (the contract says so); the Customer and Invoice APIs use the hyphen.
    if api == "usage" and code == "subscription-not-found":
        code = "subscription-not found"
    prefix = f"billing/{api}" if api in ("customer", "invoice", "usage") else "sandbox"
    return f"{prefix}/problems/{code}"


def render(api: str, problem: Problem, status: int | None = None) -> HttpResponse:
    default_status, title = CODES[problem.code]
    status = status or default_status
    body = {
        "Type": type_for(api, problem.code),
        "Title": title,
        "Status": status,
        "Instance": str(uuid.uuid4()),
        "Detail": problem.detail,
    }
    if problem.problems is not None:
        body["Problems"] = problem.problems
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type="application/problem+json",
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response
