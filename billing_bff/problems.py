"""RFC 9457 problem details: the one renderer of every error the BFF answers.

Every error leaves as `application/problem+json` with `type`, `title`, `status`,
`detail`, `instance` (the request id, to be quoted to customer service) and, for 400,
`errors` by field. Nothing here echoes an upstream URL, a token, the ledger number or
a stack trace: upstream errors are rendered from their typed class alone.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django_guid import get_guid
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(exceptions.APIException):
    """Base for the BFF's own errors; subclasses set status_code, default_code, title."""

    title = "Error"
    retry_after: int | None = None

    def __init__(self, detail: str | None = None, *, errors: dict | None = None):
        super().__init__(detail=detail)
        self.errors = errors


class NotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not-found"
    default_detail = "The resource does not exist, or you may not see it."
    title = "Not found"


class Forbidden(Problem):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"
    default_detail = "Your role does not allow this operation."
    title = "Forbidden"


class Conflict(Problem):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The resource's current state does not allow this operation."
    title = "Conflict"


class ValidationFailed(Problem):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "validation"
    default_detail = "Some fields are not valid."
    title = "Validation failed"


class Unprocessable(Problem):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"
    default_detail = "The request cannot be processed."
    title = "Unprocessable request"


class ProblemResponse(Response):
    """A problem is JSON whatever renderer the view negotiated.

    DRF renders an error with the view's accepted renderer: a usage list asked for as CSV
    would answer an empty body, the OpenAPI view a YAML one. DRF assigns the view's
    renderer after the exception handler returns, so the assignment is ignored here.
    """

    _renderer = JSONRenderer()

    @property
    def accepted_renderer(self):
        return self._renderer

    @accepted_renderer.setter
    def accepted_renderer(self, _renderer) -> None:
        pass


def _type_uri(code: str) -> str:
    return f"/problems/{code}"


def instance_id() -> str:
    guid = get_guid()
    return f"urn:request:{guid}" if guid else "urn:request:unknown"


def problem_body(
    *, code: str, title: str, status_code: int, detail: str, errors: dict | None = None
) -> dict:
    body = {
        "type": _type_uri(code),
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance_id(),
    }
    if errors:
        body["errors"] = errors
    return body


def _flatten_errors(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field.sub": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for name, value in data.items():
            field = f"{prefix}.{name}" if prefix else str(name)
            out.update(_flatten_errors(value, field))
    elif isinstance(data, list) and data and all(not isinstance(v, dict | list) for v in data):
        out[prefix or "non_field_errors"] = [str(v) for v in data]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.update(_flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(data)]
    return out


# DRF's own exceptions, each with the title and code it is rendered with.
_DRF_TITLES: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.ParseError: ("malformed-request", "Malformed request"),
    exceptions.AuthenticationFailed: ("not-authenticated", "Not authenticated"),
    exceptions.NotAuthenticated: ("not-authenticated", "Not authenticated"),
    exceptions.PermissionDenied: ("forbidden", "Forbidden"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("too-many-requests", "Too many requests"),
}


def problem_response(exc: exceptions.APIException) -> Response:
    headers = {}
    errors = None
    if isinstance(exc, Problem):
        code, title = exc.default_code, exc.title
        errors = exc.errors
        detail = str(exc.detail)
        if exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, exceptions.ValidationError):
        code, title = "validation", "Validation failed"
        errors = _flatten_errors(exc.detail)
        detail = "Some fields are not valid."
    else:
        code, title = next(
            (v for k, v in _DRF_TITLES.items() if isinstance(exc, k)), ("error", "Error")
        )
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else title
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait) + 1)
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
    body = problem_body(
        code=code, title=title, status_code=exc.status_code, detail=detail, errors=errors
    )
    return ProblemResponse(
        body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: everything an API view raises becomes a problem."""
    if isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = Forbidden()
    if isinstance(exc, exceptions.APIException):
        # DRF has already chosen 401 or 403 for a failed authentication (403 when the
        # view has no authenticator to name in WWW-Authenticate); the body follows it.
        return problem_response(exc)
    logger.exception("unhandled error in API view %s", type(exc).__name__)
    body = problem_body(
        code="internal-error",
        title="Internal error",
        status_code=500,
        detail="Something went wrong on our side. Quote the instance id to customer service.",
    )
    return ProblemResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)


def json_problem(status_code: int, code: str, title: str, detail: str) -> JsonResponse:
    """A problem outside DRF's views (Django's own 404/500 handlers for /api/)."""
    return JsonResponse(
        problem_body(code=code, title=title, status_code=status_code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )
