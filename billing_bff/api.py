"""What every JSON answer built from upstream data shares: meta, paging, caching headers."""

from __future__ import annotations

import hashlib
import json

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param, replace_query_param

from billing_bff.caching import Cached

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class PageQuery(serializers.Serializer):
    """`page` and `page_size` of every list (page_size up to 200)."""

    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )


def meta_of(*cached: Cached) -> dict:
    """The freshness of a body built from one or more cached documents: the oldest wins."""
    oldest = min(cached, key=lambda c: c.as_of)
    meta = oldest.meta
    meta["stale"] = any(c.stale for c in cached)
    meta["source"] = "upstream" if all(c.source == "upstream" for c in cached) else "cache"
    return meta


def page_links(request, *, page: int, page_size: int, count: int) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    last = max(1, -(-count // page_size))
    next_url = replace_query_param(url, "page", page + 1) if page < last else None
    if page <= 1:
        previous = None
    elif page == 2:
        previous = remove_query_param(url, "page")
    else:
        previous = replace_query_param(url, "page", min(page - 1, last))
    return next_url, previous


def paged(request, *, results: list, count: int, page: int, page_size: int, meta: dict, **extra):
    """The list shape every client relies on: {count, next, previous, results, meta, ...}."""
    next_url, previous = page_links(request, page=page, page_size=page_size, count=count)
    return {
        "count": count,
        "next": next_url,
        "previous": previous,
        "results": results,
        "meta": meta,
        **extra,
    }


def page_slice(items: list, *, page: int, page_size: int) -> list:
    start = (page - 1) * page_size
    return items[start : start + page_size]


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
            canonical = json.dumps(_without_source(data), cls=JSONEncoder, separators=(",", ":"))
            response["ETag"] = f'W/"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'
        return response


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
