"""Error answers outside DRF: problem+json under /api/, the site's own pages elsewhere.

Django's handlers render templates/400.html, 403.html, 404.html and 500.html for pages;
`payload_too_large` is the answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413.html);
`upstream_unavailable` is the page of an upstream outage (503.html), for a page view
that meets one with no stale copy to show.
"""

from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.views import defaults

from billing_bff.problems import (
    Forbidden,
    InternalError,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    json_problem,
)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return json_problem(NotFound)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_problem(InternalError)
    return defaults.server_error(request)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_problem(Forbidden)
    return defaults.permission_denied(request, exception)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large(request)
    if _is_api(request):
        return json_problem(MalformedRequest)
    return defaults.bad_request(request, exception)


def payload_too_large(request):
    """413: the body is over DATA_UPLOAD_MAX_MEMORY_SIZE (a form too large, a JSON too big)."""
    if _is_api(request):
        return json_problem(PayloadTooLarge)
    return render(request, "413.html", status=413)


def upstream_unavailable(request, exc=None):
    """503 and Retry-After: the billing system is down, slow or refusing our credentials."""
    retry_after = getattr(exc, "retry_after", None) or 30
    response = render(request, "503.html", {"retry_minutes": max(1, round(retry_after / 60))})
    response.status_code = 503
    response["Retry-After"] = str(retry_after)
    return response
