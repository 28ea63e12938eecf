"""Django's own error views: problem+json under /api/, the site's pages elsewhere."""

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
