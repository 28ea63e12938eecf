"""Reading PayEx problem bodies into typed errors, through one closed table.

PayEx writes problem keys in PascalCase (`Type`, `Problems`), other pages in camelCase;
the type's prefix appears as both `billing/{api}/problems/` and `billing/{api}/service/`;
and the Usage API's page spells one code `subscription-not found`. So keys are read in
either case and the code is the type's last segment, normalised.
"""

from __future__ import annotations

import re

from . import errors

# code -> (error class, what was not found). Every row is a code of the contract.
PROBLEM_TABLE: dict[str, tuple[type[errors.UpstreamError], str | None]] = {
    "validation": (errors.UpstreamValidation, None),
    "customer-not-found": (errors.UpstreamNotFound, "customer"),
    "subscription-not-found": (errors.UpstreamNotFound, "subscription"),
    "invoice-not-found": (errors.UpstreamNotFound, "invoice"),
    "invoice-has-no-usage": (errors.UpstreamNotFound, "usage"),
    "recurring-product-not-found": (errors.UpstreamNotFound, "recurring-product"),
    "conflict": (errors.UpstreamConflict, None),
    "token-invalid": (errors.UpstreamUnauthorized, None),
    "token-expired": (errors.UpstreamUnauthorized, None),
    "owner-mismatch": (errors.UpstreamUnauthorized, None),
}

# Transport-level statuses, for answers whose body names no code of the table.
STATUS_TABLE: dict[int, type[errors.UpstreamError]] = {
    401: errors.UpstreamUnauthorized,
    503: errors.UpstreamUnavailable,
    504: errors.UpstreamTimeout,
}


def _get(body: dict, name: str):
    """A problem key in PascalCase or camelCase (`Type` or `type`)."""
    for candidate in (name, name[0].upper() + name[1:], name.lower()):
        if candidate in body:
            return body[candidate]
    return None


def problem_code(type_value: object) -> str:
    """`billing/usage/problems/subscription-not found` -> `subscription-not-found`."""
    if not isinstance(type_value, str) or not type_value.strip():
        return ""
    last = type_value.strip().rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[\s_]+", "-", last.strip().lower())


def field_errors(problems: object) -> dict[str, list[str]]:
    """PayEx's `Problems: [{"billingAddress.zipCode": "msg"}]` as `{field: [msg, ...]}`."""
    out: dict[str, list[str]] = {}
    if isinstance(problems, dict):
        problems = [problems]
    if not isinstance(problems, list):
        return out
    for item in problems:
        if not isinstance(item, dict):
            continue
        # Some pages write {"Name": field, "Description": msg}; most write {field: msg}.
        name, description = _get(item, "name"), _get(item, "description")
        if isinstance(name, str) and description is not None:
            out.setdefault(name, []).append(str(description))
            continue
        for field, message in item.items():
            out.setdefault(str(field), []).append(str(message))
    return out


def error_from_problem(*, api: str, status: int, body: object) -> errors.UpstreamError:
    """The typed error for a non-2xx answer. Anything unlisted is a bad gateway."""
    body = body if isinstance(body, dict) else {}
    code = problem_code(_get(body, "type"))
    instance = _get(body, "instance")
    instance = str(instance) if instance is not None else None
    common = {"api": api, "upstream_status": status, "instance": instance}
    if code in PROBLEM_TABLE:
        cls, what = PROBLEM_TABLE[code]
        if cls is errors.UpstreamValidation:
            return cls(errors=field_errors(_get(body, "problems")) or None, **common)
        if cls is errors.UpstreamNotFound:
            return cls(what=what or "resource", **common)
        return cls(**common)
    return STATUS_TABLE.get(status, errors.UpstreamBadGateway)(**common)
