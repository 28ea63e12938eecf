"""The OpenAPI document's shared parts: problems, freshness, operations, paging, headers.

The document at /api/schema/ is generated from the code (drf-spectacular). Each API view
states its own shapes with `extend_schema`; what every route shares lives here:

- components: `Problem`, `ValidationProblem` (the bodies billing_bff.problems renders),
  `Meta` ({asOf, stale, source}), `Operation` ({rel, method, href}) and the paged list
  envelopes `paged_list` builds ({count, next, previous, results, meta, ...});
- `problems(...)`: the problem answers of a route, each with its example;
- `ok(...)`: a success answer with its example;
- the headers: `Idempotency-Key` on writes, `If-None-Match`/`ETag` and 304 on reads,
  `Retry-After` on 429 and the upstream's 502/503/504;
- `finish_document`: the texts no view owns (description, tags), a postprocessing hook;
- `shaped`: how a body the BFF builds is made from its serializer, so that each shape
  is defined once: the serializer documents it, and a body with a field it does not
  name, or without one it requires, cannot be built.

`manage.py spectacular --validate --fail-on-warn` runs in `make check`, and
tests/test_api_schema_fuzz.py holds the running API to this document.
"""

from __future__ import annotations

import functools

from drf_spectacular import openapi
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers

from billing_bff import problems as p
from billing_bff.idempotency import IdempotencyKeyReused
from billing_bff.throttle import LoginThrottled
from billing_bff.upstream import errors as upstream


class PrincipalJWTScheme(SimpleJWTScheme):
    """The bearer scheme (jwtAuth) of billing_bff.auth's simplejwt authentication."""

    target_class = "billing_bff.auth.PrincipalJWTAuthentication"


PROBLEM = "application/problem+json"
JSON = "application/json"

SUBSCRIPTION_STATUSES = ("active", "suspended", "terminated")
SOURCES = ("upstream", "cache", "database")
METHODS = ("GET", "POST", "PATCH", "DELETE")

TAGS = [
    {"name": "identity", "description": "Mobile login (JWT), token rotation, logout, who am I."},
    {"name": "customers", "description": "Profile, subscriptions, recurring products, catalogue."},
    {"name": "invoices", "description": "Invoice headers and one invoice's charge lines."},
    {
        "name": "usage",
        "description": "Billed and unbilled usage: summaries, records (JSON or CSV), refresh.",
    },
    {"name": "exports", "description": "Full usage exports, built in the background."},
]

DESCRIPTION = """\
The JSON API of PayEx Billing "my pages" for the mobile app: a backend-for-frontend
over the PayEx Billing Customer, Invoice and Usage APIs.

**Authentication.** `POST /api/v1/auth/token` with username and password gives a
short-lived access token (`Authorization: Bearer …`) and a refresh token; refresh
tokens rotate and a reused one ends the login. The browser pages' session cookie is
accepted too (writes then need the CSRF token).

**Authorisation first.** A customer, subscription, invoice or product the user may not
see answers 404, exactly as one that does not exist. An operation the user may see but
not perform answers 403.

**Operations.** Every resource carries `operations: [{rel, method, href}]`: what the
billing system offers for it in its current state, narrowed to what the user's role
allows, with `href` pointing at this API. Decide from them, not from other fields.

**Freshness.** Bodies built from billing data carry `meta: {asOf, stale, source}`:
when the data was read from the billing system, whether it is past its fresh window
(or served because the billing system is failing), and whether this answer came from
the billing system (`upstream`), the BFF's cache (`cache`) or its own database.

**Paging.** Lists take `page` and `page_size` (1 to 200, default 50) and answer
`{count, next, previous, results, meta}`; usage record lists add `totals`.

**Problems.** Every error is `application/problem+json` (RFC 9457): `type`, `title`,
`status`, `detail`, `instance` (quote it to customer service), and `errors` by field
for 400. 502, 503 and 504 mean the billing system failed; they carry `Retry-After`.

**Writes are safe to retry.** POST, PATCH and DELETE take an `Idempotency-Key`
header: a repeat with the same key and body answers the first answer again
(`Idempotent-Replayed: true`) and changes nothing; the same key with another body is
422; a repeat while the first is still running is 409.

**Caching.** Bodies are `Cache-Control: private, no-cache`. GETs carry a weak `ETag`
that does not change when the same data is served from the cache instead of the
billing system; send it back in `If-None-Match` to get 304 with no body.
"""


# --- one definition of each body ----------------------------------------------------------
@functools.cache
def _fields_of(shape: type[serializers.Serializer]) -> tuple[frozenset[str], frozenset[str]]:
    declared = shape._declared_fields
    required = frozenset(name for name, field in declared.items() if field.required)
    return frozenset(declared), required


def shaped(shape: type[serializers.Serializer], **values) -> dict:
    """A body of `shape`, the serializer that documents it.

    The serializer is the body's one definition: the OpenAPI document is generated
    from it, and the body is built here from values named as its fields. A name it
    does not declare, or a required field left out, is a TypeError (a bug, caught by
    any test that builds the body), so the two cannot drift apart. Values are taken as
    they are: the builder has already put them in their wire form.
    """
    names, required = _fields_of(shape)
    given = values.keys()
    if not (given <= names and required <= given):
        raise TypeError(
            f"{shape.__name__}: unknown {sorted(given - names)}, missing {sorted(required - given)}"
        )
    return values


# --- shared components ---------------------------------------------------------------------
class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem: every error this API answers."""

    type = serializers.CharField(help_text="The problem type, e.g. `/problems/not-found`.")
    title = serializers.CharField(help_text="A short summary of the problem type.")
    status = serializers.IntegerField(min_value=400, max_value=599)
    detail = serializers.CharField(help_text="What happened, for a person to read.")
    instance = serializers.CharField(
        help_text="`urn:request:<id>`: this request's id, to quote to customer service."
    )


class ValidationProblemSerializer(ProblemSerializer):
    """A 400 problem: `errors` maps each invalid field (dotted for nested ones) to messages."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name → messages. Absent when the request could not be parsed at all.",
    )


class MetaSerializer(serializers.Serializer):
    """How fresh a body built from billing data is."""

    asOf = serializers.DateTimeField(help_text="When the data was read from the billing system.")
    stale = serializers.BooleanField(
        help_text="Past its fresh window, or served because the billing system is failing."
    )
    source = serializers.ChoiceField(
        choices=SOURCES,
        help_text="Where this answer came from: the billing system, the cache or the database.",
    )


class OperationSerializer(serializers.Serializer):
    """Something the user may do with a resource now, and where."""

    rel = serializers.CharField(help_text="e.g. `partial-update`, `delete`, `refresh`.")
    method = serializers.ChoiceField(choices=METHODS)
    href = serializers.CharField(help_text="A path of this API.")


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
        "example": "149.00",
    }
)
class AmountField(serializers.CharField):
    """An amount or rate as a decimal string with two decimals, e.g. "149.00"."""


@extend_schema_field({"type": "string", "example": "/api/v1/customers/3996668/subscriptions"})
class HrefField(serializers.CharField):
    """A path of this API."""


def operations_field(**kwargs) -> OperationSerializer:
    return OperationSerializer(
        many=True, help_text="What this user may do with it now (see the description).", **kwargs
    )


def paged_list(name: str, item: serializers.Serializer, **extra: serializers.Field):
    """The paged list envelope of `item` as the component `name`."""
    fields = {
        "count": serializers.IntegerField(min_value=0, help_text="Items in the whole list."),
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
        "results": item,
        "meta": MetaSerializer(),
        **extra,
    }
    fields["__doc__"] = f"A page of {name.removeprefix('Paged').removesuffix('List')} items."
    fields["paged_list"] = True
    return type(f"{name}Serializer", (serializers.Serializer,), fields)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, knowing the paged envelopes: a GET answering one is `…_list`.

    Without it a list and one of its items (`…/invoices`, `…/invoices/{invoiceNo}`) get
    the same operation id, as the envelope is not a DRF list serializer.
    """

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if self.method == "GET" and operation_id.endswith("_retrieve") and self._answers_page():
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _answers_page(self) -> bool:
        answers = self.get_response_serializers()
        if not isinstance(answers, dict):
            return False
        for code, answer in answers.items():
            status = code[0] if isinstance(code, tuple) else code
            shape = getattr(answer, "response", answer)
            if str(status) == "200" and getattr(shape, "paged_list", False):
                return True
        return False


# --- answers ----------------------------------------------------------------------------------
# Problems by status, each from the class that raises it (billing_bff.problems), so the
# examples are what is sent. A route with a problem of its own passes its class instead.
_PROBLEMS: dict[int, type[p.Problem]] = {
    cls.status_code: cls
    for cls in (
        p.ValidationFailed,
        p.NotAuthenticated,
        p.Forbidden,
        p.NotFound,
        p.Conflict,
        p.PayloadTooLarge,
        p.UnsupportedMediaType,
        IdempotencyKeyReused,
        LoginThrottled,
        upstream.UpstreamBadGateway,
        upstream.UpstreamUnavailable,
        upstream.UpstreamTimeout,
    )
}

# Statuses most routes share.
UPSTREAM = (502, 503, 504)
READ = (401, 404, *UPSTREAM)
LIST = (400, *READ)
WRITE = (400, 401, 403, 404, 409, 413, 415, 422, *UPSTREAM)

_INSTANCE = "urn:request:5f0c3e1a9b7d4c2e8a6f1b3d5c7e9a0b"
_FIELD_ERRORS = {"page_size": ["Ensure this value is less than or equal to 200."]}


def problem_example(problem: type[p.Problem], errors: dict | None = None) -> dict:
    return {**p.problem_body(problem, errors=errors), "instance": _INSTANCE}


def problems(*answers: int | type[p.Problem], errors: dict | None = None) -> dict:
    """The problem answers of a route, by status or by class; `errors` is the 400 example's
    field errors."""
    documented = {}
    for answer in answers:
        problem = _PROBLEMS[answer] if isinstance(answer, int) else answer
        status = problem.status_code
        example = problem_example(problem, (errors or _FIELD_ERRORS) if status == 400 else None)
        documented[(status, PROBLEM)] = OpenApiResponse(
            response=ValidationProblemSerializer if status == 400 else ProblemSerializer,
            description=problem.description,
            examples=[OpenApiExample(problem.title, value=example)],
        )
    return documented


def ok(
    response,
    example: dict | None,
    *,
    status: int = 200,
    description: str = "OK",
    media_type: str = JSON,
) -> dict:
    """A success answer and its example."""
    examples = [OpenApiExample("Example", value=example)] if example is not None else []
    return {
        (status, media_type): OpenApiResponse(
            response=response, description=description, examples=examples
        )
    }


NOT_MODIFIED = {
    304: OpenApiResponse(
        description="`If-None-Match` names the current ETag: your copy is current; no body."
    )
}
NO_CONTENT = {204: OpenApiResponse(description="Done; no body.")}


# --- headers ----------------------------------------------------------------------------------
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=r"^[\x21-\x7e]{8,128}$",
    description=(
        "8 to 128 printable ASCII characters, new for every intended change. A repeat with the "
        "same key and body answers the first answer again and changes nothing."
    ),
    examples=[OpenApiExample("A UUID", value="6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b")],
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The `ETag` of the copy you hold: 304 with no body while it is current.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="A weak validator of the body; the same for the same data from cache or source.",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429, *UPSTREAM],
    description="Seconds to wait before trying again.",
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 202, 204],
    description="`true` when this is the kept answer of an earlier request with the same key.",
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201, 202],
    description="Where the created resource, or the queued work's status, is.",
)

# What a GET and a write of a customer resource take and send, besides their own.
READ_HEADERS = [IF_NONE_MATCH, ETAG, RETRY_AFTER]
WRITE_HEADERS = [IDEMPOTENCY_KEY, REPLAYED, RETRY_AFTER]


def read_schema(
    tag: str,
    summary: str,
    shape,
    example: dict,
    *,
    statuses: tuple = READ,
    parameters: tuple | list = (),
    answers: dict | None = None,
    errors: dict | None = None,
    **extra,
):
    """The schema of a GET of customer data: its answer and example, the conditional-GET
    headers and 304, and its problems (`errors`: the 400 example's field errors)."""
    return extend_schema(
        tags=[tag],
        summary=summary,
        parameters=[*parameters, *READ_HEADERS],
        responses={
            **ok(shape, example),
            **(answers or {}),
            **NOT_MODIFIED,
            **problems(*statuses, errors=errors),
        },
        **extra,
    )


# --- identity (billing_bff.apis) -----------------------------------------------------------
class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class RefreshRequestSerializer(serializers.Serializer):
    refresh = serializers.CharField(help_text="The refresh token of the latest pair.")


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="Use once, for the next pair.")


class MeCustomerSerializer(serializers.Serializer):
    customerNo = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=("owner", "viewer"))


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    customers = MeCustomerSerializer(many=True, help_text="The customers the user acts for.")
    agent = serializers.BooleanField(
        help_text="Customer service: opens customers by number instead of from this list."
    )


TOKEN_PAIR_EXAMPLE = {
    "access": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl",
    "refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
}


# --- path parameters ------------------------------------------------------------------------
# Described once, by name, for every route (finish_document). Anything not matching its
# pattern cannot exist and answers 404, like an id the user may not see.
_ID = r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"
PATH_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "customerNo": (r"^[0-9]{1,20}$", "A customer the user acts for (see /me).", "3996668"),
    "subscriptionNo": (_ID, "A subscription of the customer.", "46765474359"),
    "invoiceNo": (_ID, "An invoice of the customer.", "8032100000"),
    "recurringProductId": (_ID, "A recurring product under this parent.", "20000000"),
    "taskId": (r"^[0-9a-f]{32}$", "A refresh of the customer.", "e5e5597c50b84b71a78faa9dd4566810"),
    "exportId": (
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "An export of the customer.",
        "4aaa21c2-ddd3-419f-a2fd-c85e81d1a7b1",
    ),
}


def _describe_path_parameters(result: dict) -> None:
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                known = PATH_PARAMETERS.get(parameter.get("name"))
                if parameter.get("in") != "path" or known is None:
                    continue
                pattern, description, example = known
                parameter["schema"] = {"type": "string", "pattern": pattern}
                parameter["description"] = description
                parameter["example"] = example


# --- the document -----------------------------------------------------------------------------
def finish_document(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: the description, tags and auth texts no single view owns."""
    result.setdefault("info", {})["description"] = DESCRIPTION
    result["tags"] = TAGS
    _describe_path_parameters(result)
    schemes = result.get("components", {}).get("securitySchemes", {})
    if "jwtAuth" in schemes:
        schemes["jwtAuth"]["description"] = (
            "The access token of `POST /api/v1/auth/token`, as `Authorization: Bearer <token>`."
        )
    if "cookieAuth" in schemes:
        schemes["cookieAuth"]["description"] = (
            "The browser pages' session cookie; writes need the `X-CSRFToken` header too."
        )
    return result
