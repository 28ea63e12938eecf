"""Error answers outside DRF: problem+json under /api/, the site's own pages elsewhere.

Django's handlers render templates/400.html, 403.html, 404.html and 500.html for pages;
`payload_too_large` is the answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413.html);
`upstream_unavailable` is the page of an upstream outage (503.html), for a page view
that meets one with no stale copy to show. A request that fails because the database
or Redis did not answer (billing_bff.problems.DEPENDENCY_ERRORS) is answered 503, not
500, wherever it failed (a view, a middleware, the session's save): Django hands every
uncaught exception to `server_error`, which looks at it.
"""

import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

from billing_bff.problems import (
    DEPENDENCY_ERRORS,
    Forbidden,
    InternalError,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    json_problem,
)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return json_problem(NotFound)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if isinstance(sys.exc_info()[1], DEPENDENCY_ERRORS):
        return service_unavailable(request)
    if _is_api(request):
        return json_problem(InternalError)
    return defaults.server_error(request)


def service_unavailable(request):
    """503 and Retry-After: the database or Redis did not answer; nothing was changed."""
    if _is_api(request):
        response = json_problem(ServiceUnavailable)
    else:
        try:
            response = render(request, "503.html", {"retry_minutes": 1}, status=503)
        except DEPENDENCY_ERRORS:  # the page's user and session need the database too
            response = HttpResponse(render_to_string("503.html", {"retry_minutes": 1}), status=503)
    response["Retry-After"] = str(ServiceUnavailable.retry_after)
    return response


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
