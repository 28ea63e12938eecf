"""Error answers outside DRF: problem+json under /api/, the site's own pages elsewhere.

Django's handlers render templates/403.html, 404.html and 500.html for pages;
`upstream_unavailable` is the page of an upstream outage (503.html), for a page view
that meets one with no stale copy to show.
"""

from django.shortcuts import render
from django.views import defaults

from billing_bff.problems import json_problem


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return json_problem(
            404, "not-found", "Not found", "The resource does not exist, or you may not see it."
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_problem(
            500,
            "internal-error",
            "Internal error",
            "Something went wrong on our side. Quote the instance id to customer service.",
        )
    return defaults.server_error(request)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_problem(
            403, "forbidden", "Forbidden", "Your role does not allow this operation."
        )
    return defaults.permission_denied(request, exception)


def bad_request(request, exception=None):
    if _is_api(request):
        return json_problem(
            400, "malformed-request", "Malformed request", "The request is malformed."
        )
    return defaults.bad_request(request, exception)


def upstream_unavailable(request, exc=None):
    """503 and Retry-After: the billing system is down, slow or refusing our credentials."""
    retry_after = getattr(exc, "retry_after", None) or 30
    response = render(request, "503.html", {"retry_minutes": max(1, round(retry_after / 60))})
    response.status_code = 503
    response["Retry-After"] = str(retry_after)
    return response
