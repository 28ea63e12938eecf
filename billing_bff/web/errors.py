"""Error answers outside DRF: problem+json under /api/, the site's own pages elsewhere.

Django's handlers render templates/403.html, 404.html and 500.html for pages;
`upstream_unavailable` is the page of an upstream outage (503.html), for a page view
that meets one with no stale copy to show.
"""

from django.shortcuts import render
from django.views import defaults

from billing_bff.problems import Forbidden, InternalError, MalformedRequest, NotFound, json_problem


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
    if _is_api(request):
        return json_problem(MalformedRequest)
    return defaults.bad_request(request, exception)


def upstream_unavailable(request, exc=None):
    """503 and Retry-After: the billing system is down, slow or refusing our credentials."""
    retry_after = getattr(exc, "retry_after", None) or 30
    response = render(request, "503.html", {"retry_minutes": max(1, round(retry_after / 60))})
    response.status_code = 503
    response["Retry-After"] = str(retry_after)
    return response
