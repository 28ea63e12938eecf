"""Request-wide middleware of the BFF: the upstream deadline, the API's caching headers,
the bound on a request body's size, the Permissions-Policy and Server-Timing headers."""

from __future__ import annotations

import hashlib
import json
import time

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.utils.encoders import JSONEncoder

from billing_bff import timing
from billing_bff.upstream.deadline import deadline

from .errors import payload_too_large


class ServerTimingMiddleware:
    """`Server-Timing` on API answers: time in the app, in Redis, in upstream calls, and
    whether the body came from the rendered cache (billing_bff.timing). On with
    SERVER_TIMING (by default outside production). First in MIDDLEWARE: it counts all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.SERVER_TIMING or not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        with timing.measure() as account:
            response = self.get_response(request)
        response["Server-Timing"] = timing.header(
            account,
            time.perf_counter() - started,
            rendered=getattr(response, "rendered_from_cache", None),
        )
        return response


class UpstreamDeadlineMiddleware:
    """Every end-user request gets one deadline shared by all the upstream calls it makes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with deadline(settings.PAYEX_REQUEST_DEADLINE):
            return self.get_response(request)


class PrivateCacheMiddleware:
    """Per-user API bodies may be kept by the user's own client, never by a shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        return response


class BodyETagMiddleware:
    """The ETag of an API GET: a weak validator of its data, `meta.source` left out.

    The same data answers `"source": "upstream"` when it was just loaded and `"cache"`
    afterwards, so Django's ETag (a hash of the bytes) would change between the two and
    an If-None-Match taken from the first answer would never match. Hashing the data
    without `source` (in every `meta`: the body's, and the overview's sections') gives
    both one ETag. It is weak (`W/"…"`): the bodies are equivalent, not byte for byte
    the same. A `meta` sits on a body or on an object in it, never on list items, so
    lists (pages of records) are hashed as they are, not walked.

    Sits inside ConditionalGetMiddleware, which answers a matching If-None-Match with
    304 (keeping Cache-Control, Vary and the ETag). Only views run for the request reach
    that point: authentication and the customer check come first, so a 304 is only ever
    given for a URL the caller may read, and another customer's URL answers 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        data = getattr(response, "data", None)
        if (
            request.method == "GET"
            and request.path.startswith("/api/")
            and response.status_code == 200
            and data is not None
            and not response.streaming
            and not response.has_header("ETag")
        ):
            response["ETag"] = body_etag(data)
        return response


def body_etag(data) -> str:
    """The weak ETag of an API body's data (BodyETagMiddleware's)."""
    canonical = json.dumps(_without_source(data), cls=JSONEncoder, separators=(",", ":"))
    return f'W/"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'


def _without_source(value):
    if not isinstance(value, dict):
        return value
    return {
        name: (
            {k: v for k, v in item.items() if k != "source"}
            if name == "meta" and isinstance(item, dict)
            else _without_source(item)
        )
        for name, item in value.items()
    }


class RequestSizeMiddleware:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 before anything reads it.

    Django refuses such a body only when something reads it (RequestDataTooBig, a
    SuspiciousOperation logged with its traceback), and DRF's views would turn it into a
    500. Judged by Content-Length, before CSRF's check reads a form or a parser a JSON
    body: problem+json under /api/, the site's 413 page elsewhere. Django's own check
    stays for a body that arrives without a length (billing_bff.web.errors maps it).
    Last in MIDDLEWARE, so the page is rendered with the session, language and user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _content_length(request) > limit:
            return payload_too_large(request)
        return self.get_response(request)


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header from settings.PERMISSIONS_POLICY ({feature: [origins]},
    an empty list refusing the feature to every origin: "camera=()")."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
