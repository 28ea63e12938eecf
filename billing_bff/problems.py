"""RFC 9457 problem details: the one problem hierarchy and the one renderer of every error.

Every error leaves as `application/problem+json` with `type`, `title`, `status`,
`detail`, `instance` (the request id, to be quoted to customer service) and, for 400,
`errors` by field. Each problem type is one class here, holding its code, title, detail
and what it means (`description`, for the OpenAPI document); the renderer, the error
pages (billing_bff.web.errors) and the document (billing_bff.web.openapi) all read them
from the class. The upstream's errors (billing_bff.upstream.errors) subclass these, so
catching `NotFound` catches a missing resource whether the BFF or PayEx said so.

Nothing here echoes an upstream URL, a token, the ledger number or a stack trace:
upstream errors are rendered from their typed class alone.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django_guid import get_guid
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(exceptions.APIException):
    """Base of every problem the BFF answers; subclasses set the class attributes."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_code = "error"
    default_detail = "Error"
    title = "Error"
    # When a client meets it, in the OpenAPI document's words.
    description = ""
    retry_after: int | None = None

    def __init__(self, detail: str | None = None, *, errors: dict | None = None):
        super().__init__(detail=detail)
        self.errors = errors


class ValidationFailed(Problem):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "validation"
    default_detail = "Some fields are not valid."
    title = "Validation failed"
    description = "A parameter, header or body field is not valid; `errors` names each."


class MalformedRequest(Problem):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "malformed-request"
    default_detail = "The request is malformed."
    title = "Malformed request"
    description = "The request could not be read at all."


class NotAuthenticated(Problem):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "not-authenticated"
    default_detail = "Authentication credentials were not provided."
    title = "Not authenticated"
    description = "No valid access token or session."


class Forbidden(Problem):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"
    default_detail = "Your role does not allow this operation."
    title = "Forbidden"
    description = "The user may see the resource but their role does not allow this operation."


class NotFound(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not-found"
    # What does not exist and what a user may not see read the same.
    default_detail = "The resource does not exist, or you may not see it."
    title = "Not found"
    description = "No such resource, or one the user may not see (the two read the same)."


class MethodNotAllowed(Problem):
    status_code = status.HTTP_405_METHOD_NOT_ALLOWED
    default_code = "method-not-allowed"
    title = "Method not allowed"


class NotAcceptable(Problem):
    status_code = status.HTTP_406_NOT_ACCEPTABLE
    default_code = "not-acceptable"
    title = "Not acceptable"


class Conflict(Problem):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The resource's current state does not allow this operation."
    title = "Conflict"
    description = (
        "The resource's current state does not allow this, or a request with the same "
        "Idempotency-Key is still running."
    )


class Gone(Problem):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = "This resource no longer exists."
    title = "Gone"


class PayloadTooLarge(Problem):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload-too-large"
    default_detail = "The request body is too large."
    title = "Payload too large"
    description = (
        "The request body is larger than the BFF accepts (DATA_UPLOAD_MAX_MEMORY_SIZE, "
        "2.5 MB by default)."
    )


class UnsupportedMediaType(Problem):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported-media-type"
    default_detail = 'Unsupported media type "text/plain" in request.'
    title = "Unsupported media type"
    description = "The body is not `application/json`."


class Unprocessable(Problem):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"
    default_detail = "The request cannot be processed."
    title = "Unprocessable request"


class TooManyRequests(Problem):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too-many-requests"
    default_detail = "Too many requests. Try again later."
    title = "Too many requests"


class InternalError(Problem):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_code = "internal-error"
    default_detail = "Something went wrong on our side. Quote the instance id to customer service."
    title = "Internal error"


class ServiceUnavailable(Problem):
    """One of our own dependencies (the database, or Redis where nothing can stand in
    for it) did not answer; nothing was changed."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service-unavailable"
    default_detail = "This is briefly unavailable. Nothing was changed; try again in a minute."
    title = "Service unavailable"
    description = (
        "A dependency of the service itself did not answer; nothing was changed. "
        "Try again after `Retry-After` seconds."
    )
    retry_after = 30


# Our own dependencies failing (the database, Redis, Celery's broker): a 503 with a
# one-line warning, never a 500 with a traceback.
DEPENDENCY_ERRORS = (DatabaseError, redis.RedisError, kombu.exceptions.OperationalError)


def dependency_failed(exc: BaseException) -> ServiceUnavailable:
    """The problem a database or Redis failure is answered with (logged without a trace)."""
    logger.warning("dependency unavailable: %s", type(exc).__name__)
    return ServiceUnavailable()


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


def type_uri(code: str) -> str:
    return f"/problems/{code}"


def instance_id() -> str:
    guid = get_guid()
    return f"urn:request:{guid}" if guid else "urn:request:unknown"


def problem_body(problem: type[Problem] | Problem, *, errors: dict | None = None) -> dict:
    """The body of a problem (a class: its defaults; an instance: its own detail)."""
    detail = problem.detail if isinstance(problem, Problem) else problem.default_detail
    body = {
        "type": type_uri(problem.default_code),
        "title": problem.title,
        "status": problem.status_code,
        "detail": str(detail),
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


# DRF's own exceptions, each rendered as the problem type it means.
_DRF_PROBLEMS: dict[type[exceptions.APIException], type[Problem]] = {
    exceptions.ParseError: MalformedRequest,
    exceptions.AuthenticationFailed: NotAuthenticated,
    exceptions.NotAuthenticated: NotAuthenticated,
    exceptions.PermissionDenied: Forbidden,
    exceptions.NotFound: NotFound,
    exceptions.MethodNotAllowed: MethodNotAllowed,
    exceptions.NotAcceptable: NotAcceptable,
    exceptions.UnsupportedMediaType: UnsupportedMediaType,
    exceptions.Throttled: TooManyRequests,
}


def problem_response(exc: exceptions.APIException) -> Response:
    headers = {}
    if isinstance(exc, Problem):
        body = problem_body(exc, errors=exc.errors)
        if exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, exceptions.ValidationError):
        body = problem_body(ValidationFailed, errors=_flatten_errors(exc.detail))
    else:
        kind = next((v for k, v in _DRF_PROBLEMS.items() if isinstance(exc, k)), Problem)
        body = problem_body(kind)
        body["status"] = exc.status_code
        if not isinstance(exc.detail, dict | list):
            body["detail"] = str(exc.detail)
        else:
            body["detail"] = kind.title
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait) + 1)
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return ProblemResponse(
        body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: everything an API view raises becomes a problem."""
    if isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = Forbidden()
    elif isinstance(exc, RequestDataTooBig):
        # Django refused to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the client's doing.
        exc = PayloadTooLarge()
    elif isinstance(exc, DEPENDENCY_ERRORS):
        exc = dependency_failed(exc)
    if isinstance(exc, exceptions.APIException):
        # DRF has already chosen 401 or 403 for a failed authentication (403 when the
        # view has no authenticator to name in WWW-Authenticate); the body follows it.
        return problem_response(exc)
    logger.exception("unhandled error in API view %s", type(exc).__name__)
    return ProblemResponse(
        problem_body(InternalError), status=500, content_type=PROBLEM_CONTENT_TYPE
    )


def json_problem(problem: type[Problem]) -> JsonResponse:
    """A problem outside DRF's views (Django's own 404/500 handlers for /api/)."""
    return JsonResponse(
        problem_body(problem), status=problem.status_code, content_type=PROBLEM_CONTENT_TYPE
    )
